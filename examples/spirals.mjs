/**
 * @file The quick-start demo: a two-layer network learns to separate two interleaved spirals, with autograd
 * and plain SGD with momentum written out by hand. Prints progress, the final accuracy, and writes the loss
 * curve to loss.svg. (The translator app will take over as the main demo.)
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Generator, noGrad, randn, tensor, zeros } from '@tensorloom/tensor';

const generator = new Generator(0);
const pointsPerClass = 200;
const steps = 1500;
const learningRate = 0.1;
const momentum = 0.9;

/** Two spirals, one per class, with a little noise. */
function makeSpirals() {
  const xs = [];
  const labels = [];
  for (let cls = 0; cls < 2; cls++) {
    for (let i = 0; i < pointsPerClass; i++) {
      const r = (i / pointsPerClass) * 5 + 0.2;
      const angle = 1.75 * (i / pointsPerClass) * 2 * Math.PI + cls * Math.PI;
      xs.push([
        r * Math.sin(angle) + generator.normal() * 0.1,
        r * Math.cos(angle) + generator.normal() * 0.1,
      ]);
      labels.push(cls);
    }
  }
  return { x: tensor(xs, { dtype: 'float32' }).div(5), y: tensor(labels) };
}

function init(shape, fanIn) {
  return randn(shape, { generator })
    .mul(Math.sqrt(1 / fanIn))
    .detach()
    .requiresGrad_();
}

const hidden = 64;
const params = {
  w1: init([2, hidden], 2),
  b1: zeros([hidden], { requiresGrad: true }),
  w2: init([hidden, hidden], hidden),
  b2: zeros([hidden], { requiresGrad: true }),
  w3: init([hidden, 2], hidden),
  b3: zeros([2], { requiresGrad: true }),
};
const velocity = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, zeros(p.shape)]));

function forward(x) {
  const h1 = x.matmul(params.w1).add(params.b1).tanh(); // [N, H]
  const h2 = h1.matmul(params.w2).add(params.b2).tanh(); // [N, H]
  return h2.matmul(params.w3).add(params.b3); // [N, 2] logits
}

/** Mean cross-entropy of logits against class indices: −mean log softmax(logits)[y]. */
function crossEntropy(logits, y) {
  return logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
}

const { x, y } = makeSpirals();
const losses = [];
const started = performance.now();
for (let step = 1; step <= steps; step++) {
  const loss = crossEntropy(forward(x), y);
  loss.backward();
  noGrad(() => {
    for (const [name, p] of Object.entries(params)) {
      // v ← μv + g;  w ← w − lr·v
      velocity[name] = velocity[name].mul(momentum).add(p.grad);
      p.data.set(p.sub(velocity[name].mul(learningRate)).data);
      p.grad = null;
    }
  });
  losses.push(loss.item());
  // A live bar on a terminal; one line per 250 steps in a log.
  const tty = process.stdout.isTTY;
  if ((tty && step % 25 === 0) || step % 250 === 0 || step === steps) {
    const elapsed = (performance.now() - started) / 1000;
    const eta = (elapsed / step) * (steps - step);
    const bar = '#'.repeat(Math.round((step / steps) * 30)).padEnd(30, '.');
    const line = `[${bar}] step ${step}/${steps}  loss ${losses.at(-1).toFixed(4)}  ETA ${eta.toFixed(1)}s`;
    process.stdout.write(tty ? `\r${line} ` : `${line}\n`);
  }
}
if (process.stdout.isTTY) process.stdout.write('\n');

const predictions = noGrad(() => forward(x).argmax(1));
const accuracy = predictions.eq(y).float().mean().item();
console.log(`accuracy on the two spirals: ${(accuracy * 100).toFixed(1)}% after ${steps} steps`);

writeAtomically('loss.svg', lossCurveSvg(losses));
console.log('wrote loss.svg (training loss per step)');

function writeAtomically(path, text) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** A small self-contained SVG line chart of the loss, log-scaled on y. */
function lossCurveSvg(values) {
  const width = 640;
  const height = 320;
  const pad = 48;
  const logs = values.map((v) => Math.log10(Math.max(v, 1e-6)));
  const lo = Math.floor(Math.min(...logs));
  const hi = Math.ceil(Math.max(...logs));
  const px = (i) => pad + (i / (values.length - 1)) * (width - 2 * pad);
  const py = (l) => height - pad - ((l - lo) / (hi - lo || 1)) * (height - 2 * pad);
  const path = logs.map((l, i) => `${i === 0 ? 'M' : 'L'}${px(i).toFixed(1)},${py(l).toFixed(1)}`).join('');
  const ticks = [];
  for (let e = lo; e <= hi; e++) {
    ticks.push(
      `<line x1="${pad}" x2="${width - pad}" y1="${py(e)}" y2="${py(e)}" stroke="#ddd"/>` +
        `<text x="${pad - 6}" y="${py(e) + 4}" text-anchor="end" font-size="11">1e${e}</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${ticks.join('\n')}
<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>
<text x="${width / 2}" y="${height - 12}" text-anchor="middle" font-size="12">step</text>
<text x="14" y="${height / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${height / 2})">loss (log scale)</text>
<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">Training loss: two spirals</text>
</svg>
`;
}
