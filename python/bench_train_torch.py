"""PyTorch side of `bin/coach bench train`: SFT training throughput of a Qwen2 on the CPU.

    python bench_train_torch.py --spec '{"hidden_size": 256, ...}' --threads 2 --batch 16 --seq-len 256 --steps 10 --warmup 2

Builds a randomly initialised Qwen2ForCausalLM (fp32) from the spec, and times the same step the
ND4J trainer takes: forward over batch x seq-len random token ids, LM head and cross-entropy only
at the scored positions (t >= seq-len/4, excluding the last), backward, global-norm clipping at
1.0, AdamW (weight decay 0.1 on matrices and embeddings, none on norms and biases). Warm-up steps
run untimed. Prints one JSON line with tokens/s (batch*seq-len per median step time) and timings.
"""

import argparse
import json
import platform
import statistics
import time

import torch
import transformers
from transformers import Qwen2Config, Qwen2ForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True, help="JSON object of Qwen2Config fields")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--seq-len", type=int, required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    config = Qwen2Config(**json.loads(args.spec))
    model = Qwen2ForCausalLM(config).float().train()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)

    gen = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(0, config.vocab_size, (args.batch, args.seq_len), generator=gen)
    targets = torch.roll(ids, -1, dims=1)
    mask = torch.zeros(args.batch, args.seq_len, dtype=torch.bool)
    mask[:, args.seq_len // 4: args.seq_len - 1] = True

    def step():
        opt.zero_grad(set_to_none=True)
        hidden = model.model(input_ids=ids).last_hidden_state
        logits = model.lm_head(hidden[mask])
        loss = torch.nn.functional.cross_entropy(logits, targets[mask])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({
        "tokens_per_s": args.batch * args.seq_len / med,
        "step_s_median": med,
        "step_s": times,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "attention": model.config._attn_implementation,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
    }))


if __name__ == "__main__":
    main()
