"""PyTorch side of `bin/coach bench lm`: prefill and decode throughput of a Qwen2 checkpoint.

    python bench_lm_torch.py --model DIR --threads 2 --batch 4 --prompt-len 128 --new-tokens 64 --warmup 1

Loads DIR with transformers in fp32 on the CPU and, per repeat:
  prefill: one forward of batch x prompt-len random token ids with use_cache=True;
  decode:  new-tokens greedy steps for every sequence, each one single-token forward over the
           KV cache (no eos stop, so every sequence gets all new-tokens tokens).
Warm-up repeats run the same work untimed. Prints one JSON line: medians over the timed repeats
in tokens/s (prefill: batch*prompt-len per prefill time; decode: batch*new-tokens per decode
time), every timing, and the peak RSS of the process.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import time

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM


def positive(text):
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def non_negative(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


def cpu_name():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_once(model, prompt, new_tokens):
    with torch.inference_mode():
        t0 = time.perf_counter()
        out = model(prompt, use_cache=True)
        t1 = time.perf_counter()
        past = out.past_key_values
        nxt = out.logits[:, -1].argmax(-1, keepdim=True)
        for _ in range(new_tokens):
            out = model(nxt, past_key_values=past, use_cache=True)
            past = out.past_key_values
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
        t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main():
    ap = argparse.ArgumentParser(description="Prefill/decode throughput of a Qwen2 checkpoint with PyTorch (fp32, CPU).")
    ap.add_argument("--model", required=True, help="checkpoint directory (config.json + safetensors)")
    ap.add_argument("--threads", type=positive, required=True)
    ap.add_argument("--batch", type=positive, required=True)
    ap.add_argument("--prompt-len", type=positive, required=True)
    ap.add_argument("--new-tokens", type=positive, required=True)
    ap.add_argument("--warmup", type=non_negative, required=True)
    ap.add_argument("--repeats", type=positive, default=3, help="timed repeats (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random prompt ids")
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.model, "config.json")):
        ap.error(f"--model {args.model}: no config.json in that directory")
    config = AutoConfig.from_pretrained(args.model)
    if args.prompt_len + args.new_tokens > config.max_position_embeddings:
        ap.error(f"--prompt-len + --new-tokens = {args.prompt_len + args.new_tokens} exceeds "
                 f"max_position_embeddings {config.max_position_embeddings} of {args.model}/config.json")

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    load_start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    load_s = time.perf_counter() - load_start
    gen = torch.Generator().manual_seed(args.seed)
    prompt = torch.randint(0, config.vocab_size, (args.batch, args.prompt_len), generator=gen)

    for _ in range(args.warmup):
        run_once(model, prompt, args.new_tokens)
    prefill_s, decode_s = [], []
    for _ in range(args.repeats):
        p, d = run_once(model, prompt, args.new_tokens)
        prefill_s.append(p)
        decode_s.append(d)

    prefill_tokens = args.batch * args.prompt_len
    decode_tokens = args.batch * args.new_tokens
    print(json.dumps({
        "engine": "pytorch",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "model": os.path.abspath(args.model),
        "parameters": sum(p.numel() for p in model.parameters()),
        "dtype": "float32",
        "attention": model.config._attn_implementation,
        "threads": args.threads,
        "batch": args.batch,
        "prompt_len": args.prompt_len,
        "new_tokens": args.new_tokens,
        "warmup": args.warmup,
        "repeats": args.repeats,
        "prefill_tokens_per_s": prefill_tokens / statistics.median(prefill_s),
        "decode_tokens_per_s": decode_tokens / statistics.median(decode_s),
        "prefill_s": prefill_s,
        "decode_s": decode_s,
        "load_s": load_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
