"""Writes the random-weight Qwen2 checkpoints that `bin/coach bench lm` runs on.

    .venv/bin/python scripts/make_bench_models.py --out .cache/bench-models

creates OUT/tiny and OUT/qwen2-0.1b (config.json, generation_config.json, model.safetensors,
fp32). Speed does not depend on the weight values, so they are HF's seeded default init; the
benchmark feeds random token ids, so no tokenizer is written. About 400 MB on disk.
"""

import argparse
import json
import time
from pathlib import Path

import torch
from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

MODELS = {
    # The fixture model gqa-tied with a larger vocabulary.
    "tiny": dict(vocab_size=1000, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
                 max_position_embeddings=512),
    # About 98M parameters: Qwen2.5-0.5B's shape scaled down (GQA 6:1, tied embeddings).
    "qwen2-0.1b": dict(vocab_size=32000, hidden_size=768, intermediate_size=2048, num_hidden_layers=12,
                       num_attention_heads=12, num_key_value_heads=2, tie_word_embeddings=True,
                       max_position_embeddings=4096),
}


def write(out, name, shape, seed):
    cfg = Qwen2Config(**shape, hidden_act="silu", rope_theta=10000.0, rms_norm_eps=1e-6,
                      use_sliding_window=False, sliding_window=None,
                      max_window_layers=shape["num_hidden_layers"], attention_dropout=0.0,
                      bos_token_id=0, eos_token_id=1, torch_dtype="float32")
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(cfg).float()
    target = out / name
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(target), safe_serialization=True)
    GenerationConfig(bos_token_id=0, eos_token_id=1, do_sample=False).save_pretrained(str(target))
    return sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser(description="Write the random-weight Qwen2 benchmark checkpoints.")
    ap.add_argument("--out", type=Path, required=True, help="directory to create tiny/ and qwen2-0.1b/ in")
    args = ap.parse_args()
    start = time.time()
    params = {name: write(args.out, name, shape, 2024 + i) for i, (name, shape) in enumerate(MODELS.items())}
    print(json.dumps({"out": str(args.out), "parameters": params, "seconds": round(time.time() - start, 1)}))


if __name__ == "__main__":
    main()
