"""Regenerates the PyTorch/HF reference fixtures the Java Qwen2 engine is tested against.

The Java test suite must not need torch, so this script runs once on a developer machine and its
output is committed under policy/src/test/resources/fixtures/. Re-running it rewrites every
generated file; seeds are fixed so the same pinned packages give the same bytes.

Run from the repository root, with the pinned reference packages:

    python3.11 -m venv .venv-bench
    .venv-bench/bin/pip install -r python/requirements-bench.txt
    .venv-bench/bin/python scripts/make_fixtures.py

Inputs (committed, never rewritten): fixtures/chat/<template>/tokenizer_config.json, the
published Qwen2.5-Instruct and DeepSeek-R1-Distill-Qwen tokenizer configs (chat_template and
special tokens as released). Everything else below fixtures/ is written here:

    tokenizer/tokenizer.json, tokenizer/cases.json   byte-level BPE trained on a built-in corpus
    chat/cases.json                                   conversations rendered by apply_chat_template
    models/<name>/                                    random-weight Qwen2ForCausalLM checkpoints
    models/<name>/reference.json                      fp32 logits + greedy continuations
    models/gqa-tied/grads.safetensors, grads.json     masked-CE loss and every parameter's gradient
"""

import argparse
import json
import math
import random
import re
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, Qwen2TokenizerFast

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "policy/src/test/resources/fixtures"

# Qwen2's pre-tokenization regex (from its tokenizer.json): unlike GPT-2's, digits split one per
# pre-token (\p{N} alone), so numbers never merge.
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_TOKENS = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<｜begin▁of▁sentence｜>",
    "<｜end▁of▁sentence｜>",
    "<｜User｜>",
    "<｜Assistant｜>",
]
# DeepSeek-R1-Distill-Qwen registers these as added tokens that are NOT special: they stay whole
# when encoding but survive skip_special_tokens when decoding.
NON_SPECIAL_ADDED = ["<think>", "</think>"]
VOCAB_SIZE = 800
TEMPLATES = ["qwen2.5", "deepseek-r1-distill"]

# Seeds picked so that every greedy continuation uses many distinct tokens and no greedy step is a
# near tie (see greedy_min_margin); "sharded" has exactly the weights of "mha-untied".
# legacy_config: config.json in the older key layout most published checkpoints still have.
MODEL_SPECS = {
    "gqa-tied": dict(heads=4, kv_heads=2, tied=True, dtype="float32", shard=None, seed=1000, legacy_config=False),
    "mha-untied": dict(heads=4, kv_heads=4, tied=False, dtype="float32", shard=None, seed=1005, legacy_config=False),
    "gqa-bf16": dict(heads=4, kv_heads=2, tied=False, dtype="bfloat16", shard=None, seed=1003, legacy_config=True),
    "sharded": dict(heads=4, kv_heads=4, tied=False, dtype="float32", shard="300KB", seed=1005, legacy_config=True),
}
MIN_MARGIN = 1e-3
HIDDEN, INTERMEDIATE, LAYERS = 64, 160, 2
NEW_TOKENS = 32
PROMPT_LENGTHS = [1, 7, 19]


# ---------------------------------------------------------------------------------------------
# Tokenizer
# ---------------------------------------------------------------------------------------------

def corpus(rng):
    """Small mixed corpus in the domains the engine sees: word problems, LaTeX, code, Unicode."""
    names = ["Ana", "Bilal", "Chen", "Dora", "Emeka", "Fatima", "Goran", "Hana", "Ivo", "Jun"]
    items = ["apples", "pencils", "marbles", "books", "tickets", "cookies", "stamps", "coins"]
    verbs = ["buys", "sells", "gives away", "finds", "loses", "collects"]
    lines = []
    for _ in range(600):
        a, b, c = rng.randint(2, 999), rng.randint(2, 99), rng.randint(2, 12)
        n, m = rng.sample(names, 2)
        it = rng.choice(items)
        lines.append(
            f"{n} has {a} {it}. {n} {rng.choice(verbs)} {b} of them and then gets {c} times as many "
            f"from {m}. How many {it} does {n} have now? Let's think step by step."
        )
        lines.append(f"Step 1: {a} - {b} = {a - b}.\nStep 2: {b} \\times {c} = {b * c}.\n"
                     f"The answer is \\boxed{{{a - b + b * c}}}.")
    latex = [
        r"\frac{a}{b} + \frac{c}{d} = \frac{ad + bc}{bd}",
        r"\int_0^1 x^2 \, dx = \frac{1}{3}",
        r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
        r"\sqrt{x^2 + y^2} \le |x| + |y|",
        r"\lim_{x \to 0} \frac{\sin x}{x} = 1",
        r"e^{i\pi} + 1 = 0",
        r"\binom{n}{k} = \frac{n!}{k!(n-k)!}",
        r"\left( \frac{3}{4} \right)^2 = \frac{9}{16}",
        r"\alpha + \beta = \gamma, \quad \theta \in [0, 2\pi)",
        r"f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",
    ]
    code = [
        "def solve(n):\n    total = 0\n    for i in range(n):\n        total += i * i\n    return total\n",
        "import math\n\nprint(math.sqrt(2) ** 2)\n",
        "from sympy import symbols, solve\nx = symbols('x')\nprint(solve(x**2 - 4, x))\n",
        "if answer == expected:\n\treturn True\nelse:\n\treturn False\n",
        "result = [x for x in range(10) if x % 2 == 0]  # even numbers\n",
        "public static int add(int a, int b) {\n    return a + b;\n}\n",
    ]
    unicode = [
        "héllo wörld, ça va? naïve café",
        "世界 你好，数学题：三加四等于七。",
        "Привет, мир! Ответ: 42.",
        "Γειά σου κόσμε — π ≈ 3.14159",
        "🙂 🚀 ✓ ✗ → ← ≤ ≥ ≠ ∞ ∑ ∫",
        "日本語のテキストと English の混在",
        "العربية: مرحبا بالعالم",
    ]
    for _ in range(40):
        lines.extend(latex)
        lines.extend(code)
        lines.extend(unicode)
    rng.shuffle(lines)
    return lines


def build_tokenizer(rng):
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus(rng), trainer=trainer)
    # Added after training, as in Qwen2's tokenizer.json: their ids follow the BPE vocabulary and
    # they live only in added_tokens, not in model.vocab.
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in NON_SPECIAL_ADDED])
    # The Python decoder binding always serializes default flags, and the trainer leaves no
    # post-processor; Qwen2's tokenizer.json has both, all flags false (neither changes ids or text).
    spec = json.loads(tok.to_str())
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    spec["decoder"] = dict(byte_level)
    spec["post_processor"] = dict(byte_level)
    return Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))


TOKENIZER_TEXTS = [
    "",
    "12345",
    "3.14159",
    "x = 1000000 + 42",
    "héllo 世界 🙂",
    "e\u0301cole",  # decomposed é: NFC must compose it before byte-level encoding
    "\\frac{a}{b}",
    "\\sum_{k=1}^{n} k^2 = \\frac{n(n+1)(2n+1)}{6}",
    "$\\sqrt{2}$ is irrational.",
    "a   b\n\n\tc",
    "   leading spaces",
    "trailing spaces   ",
    "\n",
    "\r\n\r\n",
    " \n \n",
    "tab\tseparated\tvalues",
    "Hello, World!",
    "Don't stop; it's John's, we'll see. I'M HERE, YOU'RE THERE",
    "def f(x):\n    return x ** 2\n",
    "if (a <= b && c != d) { return; }",
    "Ana has 48 apples. She sells 12 of them. How many apples does she have now?",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "text<|endoftext|>more text",
    "<｜begin▁of▁sentence｜><｜User｜>Solve x^2=4.<｜Assistant｜><think>\nx = 2 or x = -2.</think>",
    "<｜end▁of▁sentence｜>",
    "<|im_start|><|im_end|>",
    "<think></think>",
    "<|im_start",
    "<|im_end |>",
    "Привет, мир!",
    "Γειά σου κόσμε",
    "العربية",
    "日本語のテキスト",
    "🙂🙂🙂 🚀",
    "🤖🧮",
    "∑ ∫ ≤ ≥ ≠ ∞ → ←",
    "\u00a0non-breaking\u00a0space",
    "zero\u200bwidth",
    "mixed123abc456",
    "!!!???...",
    "a" * 40,
    "The answer is \\boxed{17}.",
]


def write_tokenizer(out, rng):
    tok = build_tokenizer(rng)
    tdir = out / "tokenizer"
    tdir.mkdir(parents=True, exist_ok=True)
    tok.save(str(tdir / "tokenizer.json"))
    tok = Tokenizer.from_file(str(tdir / "tokenizer.json"))
    cases = []
    for text in TOKENIZER_TEXTS:
        enc = tok.encode(text, add_special_tokens=False)
        cases.append({
            "text": text,
            "ids": enc.ids,
            "tokens": enc.tokens,
            "decoded": tok.decode(enc.ids, skip_special_tokens=False),
            "decoded_skip_special": tok.decode(enc.ids, skip_special_tokens=True),
        })
    # Prefixes of a multi-token emoji: incomplete UTF-8 must decode to U+FFFD, not fail, and the
    # full sequence must decode to the emoji.
    emoji = tok.encode("🤖", add_special_tokens=False).ids
    if len(emoji) < 3:
        raise SystemExit(f"expected the robot emoji to span >= 3 tokens, got {emoji}")
    for ids in (emoji[:1], emoji[:2], emoji, emoji[1:]):
        cases.append({"text": None, "ids": ids, "tokens": [tok.id_to_token(i) for i in ids],
                      "decoded": tok.decode(ids, skip_special_tokens=False),
                      "decoded_skip_special": tok.decode(ids, skip_special_tokens=True)})
    doc = {
        "tokenizer": "tokenizer.json",
        "vocab_size": tok.get_vocab_size(with_added_tokens=True),
        "encode": "Tokenizer.encode(text, add_special_tokens=False) of HF tokenizers",
        "decode": "Tokenizer.decode(ids, skip_special_tokens=False|True)",
        "cases": cases,
    }
    write_json(tdir / "cases.json", doc)
    return tok


# ---------------------------------------------------------------------------------------------
# Chat templates
# ---------------------------------------------------------------------------------------------

CONVERSATIONS = {
    "qwen2.5": [
        ("system_user", [
            {"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
            {"role": "user", "content": "What is 3 + 4?"}], True),
        ("user_only_default_system", [
            {"role": "user", "content": "héllo 世界 🙂"}], True),
        ("user_only_no_generation_prompt", [
            {"role": "user", "content": "Compute \\frac{1}{2} + \\frac{1}{3}."}], False),
        ("multi_turn", [
            {"role": "system", "content": "You are a careful math tutor."},
            {"role": "user", "content": "Is 91 prime?"},
            {"role": "assistant", "content": "No: 91 = 7 \\times 13."},
            {"role": "user", "content": "And 97?"}], True),
        ("multi_turn_ending_with_assistant", [
            {"role": "user", "content": "Say hi."},
            {"role": "assistant", "content": "Hi!"}], False),
        ("system_not_first", [
            {"role": "user", "content": "a   b\n\n\tc"},
            {"role": "system", "content": "Answer tersely."},
            {"role": "user", "content": "Why?"}], True),
        ("empty_contents", [
            {"role": "system", "content": ""},
            {"role": "user", "content": ""}], True),
    ],
    "deepseek-r1-distill": [
        ("system_user", [
            {"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
            {"role": "user", "content": "What is 3 + 4?"}], True),
        ("user_only", [
            {"role": "user", "content": "héllo 世界 🙂"}], True),
        ("user_only_no_generation_prompt", [
            {"role": "user", "content": "Compute \\frac{1}{2} + \\frac{1}{3}."}], False),
        ("multi_turn_think_stripped", [
            {"role": "user", "content": "Is 91 prime?"},
            {"role": "assistant", "content": "<think>\n91 = 7 * 13.\n</think>\n\nNo, 91 = 7 \\times 13."},
            {"role": "user", "content": "And 97?"}], True),
        ("multi_turn_ending_with_assistant", [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Say hi."},
            {"role": "assistant", "content": "Hi!"}], False),
        ("two_system_messages_last_wins", [
            {"role": "system", "content": "First system."},
            {"role": "system", "content": "Second system."},
            {"role": "user", "content": "Which system?"}], True),
        ("empty_contents", [
            {"role": "system", "content": ""},
            {"role": "user", "content": ""}], True),
    ],
}


def published_config(out, template):
    path = out / "chat" / template / "tokenizer_config.json"
    if not path.is_file():
        raise SystemExit(f"missing input {path}: the published tokenizer_config.json of {template}")
    return json.loads(path.read_text(encoding="utf-8"))


def token_content(value):
    return value["content"] if isinstance(value, dict) else value


def write_chat_cases(out, tok):
    cases = []
    for template in TEMPLATES:
        cfg = published_config(out, template)
        hf = PreTrainedTokenizerFast(
            tokenizer_object=tok,
            bos_token=token_content(cfg.get("bos_token")),
            eos_token=token_content(cfg.get("eos_token")),
            pad_token=token_content(cfg.get("pad_token")),
        )
        hf.chat_template = cfg["chat_template"]
        for name, messages, gen in CONVERSATIONS[template]:
            rendered = hf.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            cases.append({
                "template": template,
                "name": name,
                "messages": messages,
                "add_generation_prompt": gen,
                "rendered": rendered,
                "ids": tok.encode(rendered, add_special_tokens=False).ids,
            })
    doc = {
        "configs": {t: f"{t}/tokenizer_config.json" for t in TEMPLATES},
        "renderer": "transformers apply_chat_template(messages, tokenize=False, add_generation_prompt=...)"
                    " with bos_token/eos_token/pad_token from the config",
        "ids": "the rendered string encoded by ../tokenizer/tokenizer.json with add_special_tokens=False",
        "cases": cases,
    }
    write_json(out / "chat" / "cases.json", doc)


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------

def make_config(vocab, tok, heads, kv_heads, tied, dtype):
    return Qwen2Config(
        vocab_size=vocab,
        hidden_size=HIDDEN,
        intermediate_size=INTERMEDIATE,
        num_hidden_layers=LAYERS,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        hidden_act="silu",
        max_position_embeddings=512,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=tied,
        use_sliding_window=False,
        sliding_window=None,
        max_window_layers=LAYERS,
        attention_dropout=0.0,
        bos_token_id=tok.token_to_id("<|endoftext|>"),
        eos_token_id=tok.token_to_id("<|im_end|>"),
        torch_dtype=dtype,
    )


def randomize(model, seed):
    """Weights far larger than the HF init (std 0.02), so logits differ visibly between tokens
    and positions and greedy decoding wanders instead of repeating one token."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=gen))
            elif "embed_tokens" in name or "lm_head" in name:
                p.copy_(0.35 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]) * 1.5)


def legacy_config(path):
    """Rewrites config.json the way transformers < 4.56 wrote it, as in the published Qwen2.5 and
    R1-Distill checkpoints: the dtype under "torch_dtype" and no "layer_types"."""
    cfg = json.loads(path.read_text(encoding="utf-8"))
    cfg["torch_dtype"] = cfg.pop("dtype")
    cfg.pop("layer_types")
    path.write_text(json.dumps(dict(sorted(cfg.items())), indent=2) + "\n", encoding="utf-8")


def legacy_merges(path, tok):
    """Rewrites tokenizer.json merges as "left right" strings, the form tokenizers < 0.20 wrote
    and the published Qwen2.5 / R1-Distill tokenizer.json files use; ids must not change."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["model"]["merges"] = [" ".join(pair) for pair in spec["model"]["merges"]]
    path.write_text(json.dumps(spec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    legacy = Tokenizer.from_file(str(path))
    for text in TOKENIZER_TEXTS:
        if legacy.encode(text, add_special_tokens=False).ids != tok.encode(text, add_special_tokens=False).ids:
            raise SystemExit(f"{path}: string merges encode {text!r} differently")


def save_tokenizer_files(model_dir, tok, chat_template):
    hf = Qwen2TokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        errors="replace",
        add_prefix_space=False,
        clean_up_tokenization_spaces=False,
        split_special_tokens=False,
        model_max_length=512,
    )
    hf.chat_template = chat_template
    # Published Qwen2.5 checkpoints keep the template inside tokenizer_config.json.
    hf.save_pretrained(str(model_dir), save_jinja_files=False)


def logits_of(model, ids):
    with torch.no_grad():
        return model(torch.tensor([ids]), use_cache=False).logits[0].float()


def greedy(model, prompt, n):
    """Argmax loop over the KV cache with no eos check (eos can appear and is kept), so exactly
    n tokens are produced. Also returns, per step, the gap between the best and second-best
    logit: a Java engine within tolerance can only disagree on steps whose gap is tiny."""
    out, margins = [], []
    with torch.no_grad():
        res = model(torch.tensor([prompt]), use_cache=True)
        past, last = res.past_key_values, res.logits[0, -1].float()
        for _ in range(n):
            top = torch.topk(last, 2)
            margins.append(float(top.values[0] - top.values[1]))
            nxt = int(top.indices[0])
            out.append(nxt)
            res = model(torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
            past, last = res.past_key_values, res.logits[0, -1].float()
    return out, margins


def floats(t):
    """Shortest decimal text that parses back to the identical float32."""
    return [float(np.format_float_positional(v, unique=True, trim="-")) for v in t.numpy().astype(np.float32).ravel()]


def load_fp32(model_dir, dtype):
    model = Qwen2ForCausalLM.from_pretrained(str(model_dir), dtype=getattr(torch, dtype),
                                             attn_implementation="eager")
    return model.float().eval()


def write_model(out, name, spec, tok, chat_template, prompts):
    mdir = out / "models" / name
    if mdir.exists():
        shutil.rmtree(mdir)
    mdir.mkdir(parents=True)
    vocab = tok.get_vocab_size(with_added_tokens=True)
    cfg = make_config(vocab, tok, spec["heads"], spec["kv_heads"], spec["tied"], spec["dtype"])
    torch.manual_seed(spec["seed"])
    model = Qwen2ForCausalLM(cfg).float()
    randomize(model, spec["seed"])
    if spec["dtype"] == "bfloat16":
        model = model.to(torch.bfloat16)
    save_kwargs = {"safe_serialization": True}
    if spec["shard"]:
        save_kwargs["max_shard_size"] = spec["shard"]
    model.save_pretrained(str(mdir), **save_kwargs)
    save_tokenizer_files(mdir, tok, chat_template)
    if spec["legacy_config"]:
        legacy_config(mdir / "config.json")
        legacy_merges(mdir / "tokenizer.json", tok)
    GenerationConfig(
        bos_token_id=tok.token_to_id("<|endoftext|>"),
        eos_token_id=[tok.token_to_id("<|im_end|>"), tok.token_to_id("<|endoftext|>")],
        pad_token_id=tok.token_to_id("<|endoftext|>"),
        do_sample=True, temperature=0.7, top_p=0.8, top_k=20, repetition_penalty=1.05,
    ).save_pretrained(str(mdir))

    # References come from the checkpoint as saved (bf16 weights included), upcast to fp32.
    ref_model = load_fp32(mdir, spec["dtype"])
    cases = []
    for prompt in prompts:
        lg = logits_of(ref_model, prompt)
        cont, margins = greedy(ref_model, prompt, NEW_TOKENS)
        # Teacher-forcing the continuation must pick the same tokens as the cached loop.
        forced = logits_of(ref_model, prompt + cont)[len(prompt) - 1:-1].argmax(-1).tolist()
        if forced != cont:
            raise SystemExit(f"{name}: cached greedy {cont} != teacher-forced argmax {forced}")
        if len(set(cont)) < 8:
            raise SystemExit(f"{name}: greedy continuation collapsed: {cont}")
        if min(margins) < MIN_MARGIN:
            raise SystemExit(f"{name}: greedy step with a near tie ({min(margins)}); pick another seed")
        cases.append({
            "prompt": prompt,
            "logits": [floats(row) for row in lg],
            "greedy": cont,
            "greedy_min_margin": min(margins),
        })
    doc = {
        "model": name,
        "weights_dtype": spec["dtype"],
        "compute_dtype": "float32",
        "compute": ("Qwen2ForCausalLM.from_pretrained(dir) upcast with .float() before the forward "
                    "(bf16 weights are read as bf16, then converted exactly to fp32); eager attention"),
        "logits": "logits[i] = next-token logits after prompt[0..i], one row of vocab_size floats per position",
        "greedy": (f"{NEW_TOKENS} tokens by argmax over fp32 logits with the KV cache, no eos check "
                   "(eos may appear and decoding continues), no logits processors"),
        "greedy_min_margin": "smallest gap between the best and second-best logit over the greedy steps",
        "vocab_size": vocab,
        "cases": cases,
    }
    write_json(mdir / "reference.json", doc, compact=True)
    return ref_model


def write_grads(out, model, vocab, seed):
    """Masked next-token cross-entropy on a batch of 2, and the gradient of every parameter."""
    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (2, 12), generator=gen)
    # mask[b][t] = 1: token t is a target, predicted from the logits at position t-1 (t >= 1).
    mask = torch.tensor([[0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1],
                         [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1]], dtype=torch.float32)
    model.zero_grad(set_to_none=True)
    logits = model(ids, use_cache=False).logits.float()
    per_token = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none")
    target_mask = mask[:, 1:].reshape(-1)
    loss = (per_token * target_mask).sum() / target_mask.sum()
    loss.backward()
    loss = loss.detach()
    grads = {n: p.grad.detach().contiguous() for n, p in model.named_parameters()}
    mdir = out / "models" / "gqa-tied"
    save_file(grads, str(mdir / "grads.safetensors"))
    write_json(mdir / "grads.json", {
        "model": "gqa-tied",
        "dtype": "float32",
        "input_ids": ids.tolist(),
        "loss_mask": mask.int().tolist(),
        "loss": loss.item(),
        "loss_definition": ("sum over b and t>=1 of loss_mask[b][t] * CE(logits[b][t-1], input_ids[b][t]) "
                            "divided by the number of such masked targets (mean over masked targets, "
                            "natural log); loss_mask[b][0] is 0; no padding, every position attends causally"),
        "grads": "grads.safetensors: d loss / d parameter, named as in model.safetensors "
                 "(tied lm_head has no entry: its gradient is included in model.embed_tokens.weight)",
        "param_names": sorted(grads),
    })


def model_prompts(rng, vocab):
    return [[rng.randrange(vocab) for _ in range(n)] for n in PROMPT_LENGTHS]


NUMBER_LIST = re.compile(r"\[\s*-?\d[\d.eE+-]*(?:,\s*-?\d[\d.eE+-]*)*\s*\]")


def write_json(path, doc, compact=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    if compact:
        text = json.dumps(doc, ensure_ascii=False)
    else:
        # Indented for reading, but a list of numbers stays on one line.
        text = NUMBER_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(0)[1:-1].split(",")) + "]",
                               json.dumps(doc, ensure_ascii=False, indent=1))
    path.write_text(text + "\n", encoding="utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    start = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out = args.out.resolve()

    tok = write_tokenizer(out, random.Random(1234))
    write_chat_cases(out, tok)
    qwen_template = published_config(out, "qwen2.5")["chat_template"]
    vocab = tok.get_vocab_size(with_added_tokens=True)
    prompts = model_prompts(random.Random(99), vocab)
    for name, spec in MODEL_SPECS.items():
        model = write_model(out, name, spec, tok, qwen_template, prompts)
        if name == "gqa-tied":
            write_grads(out, model, vocab, 7)
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {out} ({total / 1e6:.2f} MB) in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
