"""PyTorch mirrors of the translator app's `attention` and `transformer` models (apps/translator/src/models), with
the app's parameter names, so the app's initial weights load into them one to one.

- `attention` (models/attention.ts on nn-rnn's Seq2Seq): a bidirectional LSTM encoder (H/2 per direction) over
  the source, a linear tanh bridge from its final states (h and c, each flattened over layers and directions) to
  the decoder's, and an LSTM decoder of width H with Bahdanau's additive attention v^T tanh(W_s s_{t-1} + W_h h_j)
  queried by the previous top-layer state; the context enters the LSTM beside the previous token's embedding.
  Dropout on the embedded inputs, between layers, and before the vocabulary projection.
- `transformer` (models/transformer.ts): embeddings scaled by sqrt(D) plus sinusoidal positions (sin on even,
  cos on odd columns), dropout, nn.Transformer (batch first, final LayerNorms), a linear generator (its weight
  tied to the target embedding by default).

Shapes: B batch, S source length, T target length, V target vocabulary, E embedding, H hidden, D model width.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, SOS, EOS = 0, 1, 2


class Encoder(nn.Module):
    def __init__(self, vocab, embedding_dim, hidden, layers, dropout, pad):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding_dim, padding_idx=pad)
        self.rnn = nn.LSTM(
            embedding_dim, hidden, layers, batch_first=True, bidirectional=True, dropout=dropout if layers > 1 else 0.0
        )
        self.dropout = dropout

    def forward(self, src, lengths):
        """src [B, S] (longest first), lengths [B] -> outputs [B, S, 2h] (zeros at padding), (h, c) [2L, B, h]."""
        x = F.dropout(self.embedding(src), self.dropout, self.training)  # [B, S, E]
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=True)
        out, state = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])  # [B, S, 2h]
        return out, state


class Bridge(nn.Module):
    """nn-rnn's 'linear' bridge: [L_e*D, B, h] -> flatten per batch row -> Linear -> tanh -> [L_d, B, H]."""

    def __init__(self, in_features, layers, hidden):
        super().__init__()
        self.hidden = nn.Linear(in_features, layers * hidden)
        self.cell = nn.Linear(in_features, layers * hidden)
        self.layers, self.size = layers, hidden

    def map(self, linear, s):
        batch = s.shape[1]
        flat = s.permute(1, 0, 2).reshape(batch, -1)  # [B, L_e*D*h]
        return torch.tanh(linear(flat)).reshape(batch, self.layers, self.size).permute(1, 0, 2).contiguous()

    def forward(self, state):
        h, c = state
        return self.map(self.hidden, h), self.map(self.cell, c)  # [L, B, H] each


class AdditiveAttention(nn.Module):
    """nn-attention's AdditiveAttention (no bias on the key projection, as its default)."""

    def __init__(self, query_size, key_size, hidden):
        super().__init__()
        self.query_proj = nn.Linear(query_size, hidden, bias=False)
        self.key_proj = nn.Linear(key_size, hidden, bias=False)
        self.v = nn.Linear(hidden, 1, bias=False)

    def forward(self, query, keys, projected_keys, mask):
        """query [B, H], keys [B, S, K], projected_keys [B, S, A], mask [B, S] (True = real) -> [B, K], [B, S]."""
        energy = torch.tanh(self.query_proj(query).unsqueeze(1) + projected_keys)  # [B, S, A]
        scores = self.v(energy).squeeze(-1).masked_fill(~mask, float("-inf"))  # [B, S]
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


class Decoder(nn.Module):
    def __init__(self, vocab, embedding_dim, hidden, layers, dropout, pad, attention_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding_dim, padding_idx=pad)
        self.rnn = nn.LSTM(
            embedding_dim + hidden, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0
        )
        self.attention = AdditiveAttention(hidden, hidden, attention_size)
        self.projection = nn.Linear(hidden, vocab)
        self.dropout = dropout

    def embed(self, tokens):
        return F.dropout(self.embedding(tokens), self.dropout, self.training)  # [B, (T,) E]

    def step(self, x, state, memory):
        """x [B, E] (the previous token's embedding), state (h, c) [L, B, H] -> logits [B, V], new state."""
        keys, projected, mask = memory
        context, _ = self.attention(state[0][-1], keys, projected, mask)  # s_{t-1}: [B, H] -> [B, H]
        out, state = self.rnn(torch.cat([x, context], dim=-1).unsqueeze(1), state)  # [B, 1, H]
        features = F.dropout(out.squeeze(1), self.dropout, self.training)
        return self.projection(features), state


class AttentionTranslator(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["attention"] != "bahdanau":
            raise ValueError(f"translator_models: only Bahdanau attention is mirrored (got {c['attention']!r})")
        hidden, layers, dropout, pad = c["hiddenSize"], c["numLayers"], c["dropout"], c["padIndex"]
        self.encoder = Encoder(c["srcVocabSize"], c["embeddingDim"], hidden // 2, layers, dropout, pad)
        self.bridge = Bridge(layers * 2 * (hidden // 2), layers, hidden)
        self.decoder = Decoder(c["tgtVocabSize"], c["embeddingDim"], hidden, layers, dropout, pad, c["attentionSize"])

    def encode(self, src, lengths):
        keys, state = self.encoder(src, lengths)  # [B, S, H], [2L, B, H/2]
        mask = torch.arange(src.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)  # [B, S]
        memory = (keys, self.decoder.attention.key_proj(keys), mask)  # W_h h_j once per batch
        return self.bridge(state), memory

    def forward(self, src, lengths, decoder_input, tgt_padding_mask=None):
        state, memory = self.encode(src, lengths)
        x = self.decoder.embed(decoder_input)  # [B, T, E]
        logits = []
        for t in range(decoder_input.shape[1]):
            step_logits, state = self.decoder.step(x[:, t], state, memory)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)  # [B, T, V]

    def greedy(self, src, lengths, max_length):
        state, memory = self.encode(src, lengths)
        tokens = torch.full((src.shape[0],), SOS, dtype=torch.long)
        out = []
        for _ in range(max_length):
            logits, state = self.decoder.step(self.decoder.embed(tokens), state, memory)
            tokens = logits.argmax(-1)
            out.append(tokens)
            if all((torch.stack(out, 1) == EOS).any(1)):
                break
        return torch.stack(out, 1)  # [B, n]


def sinusoidal_table(length, d):
    """positional's sinusoidalTable: angle (pos / 10000^(col/d)) with sin at even columns, cos at odd ones."""
    table = torch.zeros(length, d, dtype=torch.float64)
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    columns = torch.arange(0, d, 2, dtype=torch.float64)
    angle = position / (10000.0 ** (columns / d))
    table[:, 0::2] = torch.sin(angle)
    table[:, 1::2] = torch.cos(angle)[:, : d // 2]
    return table.float()


class TiedGenerator(nn.Module):
    """logits = x E^T + b with E the target embedding matrix (the same Parameter)."""

    def __init__(self, weight):
        super().__init__()
        self.weight = weight
        self.bias = nn.Parameter(torch.zeros(weight.shape[0]))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class TransformerTranslator(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["positions"] != "sinusoidal" or c["shareEmbeddings"]:
            raise ValueError("translator_models: only sinusoidal positions and separate embeddings are mirrored")
        d, pad = c["dModel"], c["padIndex"]
        self.d_model = d
        self.src_embed = self.token_embedding(c["srcVocabSize"], d, pad)
        self.tgt_embed = self.token_embedding(c["tgtVocabSize"], d, pad)
        self.transformer = nn.Transformer(
            d_model=d,
            nhead=c["nhead"],
            num_encoder_layers=c["numEncoderLayers"],
            num_decoder_layers=c["numDecoderLayers"],
            dim_feedforward=c["dimFeedforward"],
            dropout=c["dropout"],
            activation=c["activation"],
            batch_first=True,
            norm_first=c["normFirst"],
        )
        self.generator = TiedGenerator(self.tgt_embed.weight) if c["tieOutput"] else nn.Linear(d, c["tgtVocabSize"])
        self.src_dropout = nn.Dropout(c["dropout"])
        self.tgt_dropout = nn.Dropout(c["dropout"])
        self.register_buffer("positions", sinusoidal_table(1024, d), persistent=False)

    @staticmethod
    def token_embedding(vocab, d, pad):
        embedding = nn.Embedding(vocab, d, padding_idx=pad)
        with torch.no_grad():
            nn.init.normal_(embedding.weight, 0.0, d**-0.5)
            embedding.weight[pad].zero_()
        return embedding

    def embed(self, embedding, dropout, tokens):
        x = embedding(tokens) * math.sqrt(self.d_model) + self.positions[: tokens.shape[1]]  # [B, T, D]
        return dropout(x)

    def encode(self, src, src_padding_mask):
        x = self.embed(self.src_embed, self.src_dropout, src)  # [B, S, D]
        return self.transformer.encoder(x, src_key_padding_mask=src_padding_mask)  # [B, S, D]

    def decode(self, decoder_input, memory, src_padding_mask, tgt_padding_mask=None):
        steps = decoder_input.shape[1]
        causal = torch.triu(torch.ones(steps, steps, dtype=torch.bool), diagonal=1)  # True = masked
        y = self.embed(self.tgt_embed, self.tgt_dropout, decoder_input)  # [B, T, D]
        out = self.transformer.decoder(
            y,
            memory,
            tgt_mask=causal,
            tgt_key_padding_mask=tgt_padding_mask,
            memory_key_padding_mask=src_padding_mask,
        )
        return self.generator(out)  # [B, T, V]

    def forward(self, src, lengths, decoder_input, tgt_padding_mask):
        src_padding_mask = src == PAD  # [B, S]
        return self.decode(decoder_input, self.encode(src, src_padding_mask), src_padding_mask, tgt_padding_mask)

    def greedy(self, src, lengths, max_length):
        src_padding_mask = src == PAD
        memory = self.encode(src, src_padding_mask)
        ys = torch.full((src.shape[0], 1), SOS, dtype=torch.long)
        for _ in range(max_length):
            logits = self.decode(ys, memory, src_padding_mask)[:, -1]  # [B, V]
            ys = torch.cat([ys, logits.argmax(-1, keepdim=True)], dim=1)
            if all((ys[:, 1:] == EOS).any(1)):
                break
        return ys[:, 1:]  # [B, n]


def build_model(config):
    kinds = {"attention": AttentionTranslator, "transformer": TransformerTranslator}
    if config["kind"] not in kinds:
        raise ValueError(f"translator_models: no mirror of the {config['kind']!r} model")
    return kinds[config["kind"]](config)
