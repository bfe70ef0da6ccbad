/** @file Tile and block sizes shared by the packing routines and the loop nest. */

/** Micro-tile: MR rows of A × NR columns of B (see micro-kernel.ts for why 4 × 8). */
export const MR = 4;
export const NR = 8;
/** Depth block: a B sliver is KC·NR floats = 8 KB and stays in L1 while A slivers stream past it. */
export const KC = 256;
/** Rows of A per packed block: MC·KC floats = 128 KB, inside L2. */
export const MC = 128;
/** Columns of B per packed panel: KC·NC floats = 512 KB, reused across every A block. */
export const NC = 512;

/** Byte offsets in a work region: the packed A block, the packed B panel, the edge tile. */
export const WORK_A = 0;
export const WORK_B = WORK_A + MC * KC * 4;
export const WORK_TILE = WORK_B + KC * NC * 4;
/** Bytes of one work region (640 KiB): each thread multiplying at the same time needs its own. */
export const WORK_BYTES = WORK_TILE + MR * NR * 4;
