"""Prints torch's version, thread count and the BLAS library it loaded, as JSON."""

from common import blas_library, emit, torch

emit({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_library()})
