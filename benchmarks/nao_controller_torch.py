#!/usr/bin/env python3
"""The NAO controller of Joule's `NAOController`, in PyTorch on the CPU: a throughput baseline.

Reads the samples that `joule controller-bench --export FILE` writes (tokens, the
equivalent sequences augmentation draws from, labels already normalised), trains a fresh
controller of the same sizes with the same loss and optimiser for one warm-up epoch and
then --epochs timed ones, and prints samples per second (samples x epochs / seconds).

The model, as Sources/Host/Search/NAO/NAOController.swift describes it:
- encoder: embedding (V x 32) -> LSTM cell (96) over the T tokens; each output h_t
  L2-normalised; e = normalise(mean_t h_t);
- predictor: 96 -> 200 -> 200 -> 2 with ReLU between, sigmoid outputs (accuracy, cost);
- decoder: its own embedding -> LSTM cell (96) started at h = c = e, teacher-forced (step 0
  reads the start token); Luong dot attention over {h_t}; tanh(Linear(concat(context, h)));
  Linear to V logits plus the space's mask (-1e9 on forbidden tokens); log-softmax;
- loss: lambda * (per-head MSE averaged over the rows carrying that label) + (1 - lambda) *
  NLL over all T steps, lambda = 0.8;
- Adam (lr 1e-3, L2 weight decay 1e-4 through `weight_decay`), gradient norm clipped at 5,
  batches of 100 in an order reshuffled every epoch, each sample replaced every epoch by a
  random member of its equivalence class.

--recurrence cell (the default) unrolls nn.LSTMCell step by step, as the Swift controller
does. --recurrence sequence runs nn.LSTM over whole sequences and attends over all decoder
steps at once: the same function (attention is not fed back into the decoder's input), in
fewer, larger operations.

Usage (see benchmarks/controller-throughput.sh):
    benchmarks/.venv/bin/python benchmarks/nao_controller_torch.py /tmp/nao-samples.json --epochs 1000
"""

import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Controller(nn.Module):
    def __init__(self, config, vocabulary_size, length, mask, recurrence):
        super().__init__()
        e, h = config["embedding_size"], config["hidden_size"]
        self.recurrence = recurrence
        self.length = length
        self.encoder_embedding = nn.Embedding(vocabulary_size, e)
        self.decoder_embedding = nn.Embedding(vocabulary_size, e)
        if recurrence == "cell":
            self.encoder_lstm = nn.LSTMCell(e, h)
            self.decoder_lstm = nn.LSTMCell(e, h)
        else:
            self.encoder_lstm = nn.LSTM(e, h, batch_first=True)
            self.decoder_lstm = nn.LSTM(e, h, batch_first=True)
        layers = []
        sizes = [h] + config["predictor_hidden_sizes"]
        for inputs, outputs in zip(sizes, sizes[1:]):
            layers += [nn.Linear(inputs, outputs), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], 2))
        self.predictor = nn.Sequential(*layers)
        self.combine = nn.Linear(2 * h, h)
        self.output = nn.Linear(h, vocabulary_size)
        forbidden = ~torch.tensor(mask, dtype=torch.bool)
        self.register_buffer("mask_bias", forbidden.float() * -1e9)  # [T, V]

    def encode(self, tokens):
        """Per-step outputs {h_t} [B, T, H], each L2-normalised, and e [B, H]."""
        x = self.encoder_embedding(tokens)
        if self.recurrence == "cell":
            state = None
            steps = []
            for t in range(self.length):
                state = self.encoder_lstm(x[:, t], state)
                steps.append(state[0])
            hidden = torch.stack(steps, dim=1)
        else:
            hidden, _ = self.encoder_lstm(x)
        outputs = F.normalize(hidden, dim=-1)
        return outputs, F.normalize(outputs.mean(dim=1), dim=-1)

    def predict(self, embedding):
        return torch.sigmoid(self.predictor(embedding))

    def attend(self, query, keys):
        """Dot attention of queries [B, S, H] over keys [B, T, H], then the tanh combine layer."""
        weights = torch.softmax(torch.bmm(query, keys.transpose(1, 2)), dim=-1)
        context = torch.bmm(weights, keys)
        return torch.tanh(self.combine(torch.cat([context, query], dim=-1)))

    def reconstruct(self, inputs, outputs, embedding):
        """Teacher-forced log-probabilities [B, T, V]; `inputs` is the start token then targets[:-1]."""
        x = self.decoder_embedding(inputs)
        state = (embedding, embedding)
        if self.recurrence == "cell":
            logits = []
            for t in range(self.length):
                state = self.decoder_lstm(x[:, t], state)
                combined = self.attend(state[0].unsqueeze(1), outputs).squeeze(1)
                logits.append(self.output(combined) + self.mask_bias[t])
            logits = torch.stack(logits, dim=1)
        else:
            hidden, _ = self.decoder_lstm(x, (embedding.unsqueeze(0), embedding.unsqueeze(0)))
            logits = self.output(self.attend(hidden, outputs)) + self.mask_bias
        return F.log_softmax(logits, dim=-1)


def load(path):
    with open(path) as file:
        data = json.load(file)
    if data.get("schema_version") != 1:
        sys.exit(f"{path}: expected schema_version 1, found {data.get('schema_version')}")
    return data


def training_tensors(samples, length):
    """Every sample's equivalent sequences padded to [N, most, T], their counts, and labels with weights."""
    most = max(len(sample["equivalents"]) for sample in samples)
    equivalents = torch.zeros(len(samples), most, length, dtype=torch.long)
    counts = torch.zeros(len(samples), dtype=torch.long)
    targets = torch.zeros(len(samples), 2)
    present = torch.zeros(len(samples), 2)
    for n, sample in enumerate(samples):
        sequences = sample["equivalents"]
        equivalents[n, : len(sequences)] = torch.tensor(sequences)
        counts[n] = len(sequences)
        for column, key in enumerate(("accuracy", "cost")):
            if sample[key] is not None:
                targets[n, column] = sample[key]
                present[n, column] = 1
    return equivalents, counts, targets, present


def train_epoch(model, optimizer, data, config, start_token, generator):
    equivalents, counts, targets, present = data
    count = counts.shape[0]
    lam = config["prediction_weight"]
    rows = torch.arange(count)
    if config["augmentation"]:
        choice = (torch.rand(count, generator=generator) * counts).long()
    else:
        choice = torch.zeros(count, dtype=torch.long)
    sequences = equivalents[rows, choice]
    order = torch.randperm(count, generator=generator)
    totals = [0.0, 0.0]
    batches = 0
    for batch in order.split(config["batch_size"]):
        tokens, target, mask = sequences[batch], targets[batch], present[batch]
        inputs = torch.cat([torch.full_like(tokens[:, :1], start_token), tokens[:, :-1]], dim=1)
        optimizer.zero_grad()
        outputs, embedding = model.encode(tokens)
        # Each head's MSE over the rows that carry its label.
        weight = mask / mask.sum(dim=0).clamp(min=1)
        prediction = ((model.predict(embedding) - target) ** 2 * weight).sum()
        logp = model.reconstruct(inputs, outputs, embedding)
        reconstruction = F.nll_loss(logp.reshape(-1, logp.shape[-1]), tokens.reshape(-1))
        loss = lam * prediction + (1 - lam) * reconstruction
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), config["gradient_clip"])
        optimizer.step()
        totals[0] += prediction.item()
        totals[1] += reconstruction.item()
        batches += 1
    return totals[0] / batches, totals[1] / batches


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples", help="the JSON written by `joule controller-bench --export`")
    parser.add_argument("--epochs", type=int, default=1000, help="timed epochs, after one warm-up epoch")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--recurrence", choices=("cell", "sequence"), default="cell")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    arguments = parser.parse_args()

    torch.set_num_threads(arguments.threads)
    torch.manual_seed(arguments.seed)
    generator = torch.Generator().manual_seed(arguments.seed)
    data = load(arguments.samples)
    config = data["configuration"]
    model = Controller(config, data["vocabulary_size"], data["length"], data["mask"], arguments.recurrence)
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learning_rate"], weight_decay=config["weight_decay"])
    tensors = training_tensors(data["samples"], data["length"])
    count = len(data["samples"])

    model.train()
    train_epoch(model, optimizer, tensors, config, data["start_token"], generator)  # warm-up
    start = time.perf_counter()
    for _ in range(arguments.epochs):
        losses = train_epoch(model, optimizer, tensors, config, data["start_token"], generator)
    seconds = time.perf_counter() - start
    rate = count * arguments.epochs / seconds

    if arguments.format == "json":
        print(json.dumps({
            "schema_version": 1, "architectures": count, "epochs": arguments.epochs,
            "threads": torch.get_num_threads(), "torch": torch.__version__, "recurrence": arguments.recurrence,
            "training_seconds": seconds, "samples_per_second": rate,
            "prediction_loss": losses[0], "reconstruction_loss": losses[1],
        }))
    else:
        print(f"PyTorch {torch.__version__} NAO controller ({arguments.recurrence}), {count} cells x {arguments.epochs} epochs, "
              f"{torch.get_num_threads()} threads")
        print(f"training:   {rate:.0f} samples/s ({seconds:.2f} s; last epoch: prediction loss {losses[0]:.4f}, "
              f"reconstruction loss {losses[1]:.4f})")


if __name__ == "__main__":
    main()
