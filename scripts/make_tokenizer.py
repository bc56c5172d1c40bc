"""Train the arithmetic testbed's tokenizer: a small byte-level BPE in the Qwen2 layout.

Reads the text `bin/coach data corpus` writes and fills OUT with tokenizer.json and
tokenizer_config.json (a ChatML chat template). See models/tokenizer-arith/recipe.md for the
commands. Fails, writing nothing, when a property the models rely on does not hold.
"""

import argparse
import json
import pathlib
import sys

import jinja2
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

# Qwen2's pre-tokenizer pattern: digits are isolated one by one, so numbers are read digit by digit.
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Used only while training: Qwen2's pattern lets one punctuation character lead a word ("{Yes"),
# and a merge learned there would hide the bare "Yes" token the critic's reward is read from.
# Keeping punctuation apart while learning means no such merge exists; at run time the plain
# Qwen2 pattern is used and the BPE simply has nothing to merge across that boundary.
PUNCTUATION_RUN = r" ?[^\s\p{L}\p{N}']+[\r\n]*"

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' ~ message['role'] ~ '\\n' ~ message['content'] ~ '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def byte_level():
    return pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)


def qwen2_split():
    return pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False)


def train(corpus: list[str], vocab_size: int) -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [qwen2_split(), pre_tokenizers.Split(Regex(PUNCTUATION_RUN), behavior="isolated"), byte_level()]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    tok.pre_tokenizer = pre_tokenizers.Sequence([qwen2_split(), byte_level()])
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def render_chat(messages, add_generation_prompt):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return env.from_string(CHAT_TEMPLATE).render(messages=messages, add_generation_prompt=add_generation_prompt)


def check(tok: Tokenizer, documents: list[str]) -> list[str]:
    """Everything the testbed's models rely on; returns the failures."""
    failures = []
    for i, doc in enumerate(documents):
        enc = tok.encode(doc)
        if tok.decode(enc.ids, skip_special_tokens=False) != doc:
            failures.append(f"document {i} does not round-trip")
            break
    for word in ("Yes", "No"):
        ids = tok.encode(word).ids
        if len(ids) != 1:
            failures.append(f"'{word}' is {len(ids)} tokens, must be one")
            continue
        judged = tok.encode("**Judgement**: $\\boxed{" + word + "}$")
        if ids[0] not in judged.ids:
            failures.append(f"'{word}' is not its own token inside the judgement: {judged.tokens}")
    decoder = decoders.ByteLevel()
    for token, idx in tok.get_vocab(with_added_tokens=False).items():
        text = decoder.decode([token])
        if any(c.isdigit() for c in text) and len(text) > 1:
            failures.append(f"token {idx} {text!r} joins a digit with something else")
    for special in SPECIAL_TOKENS:
        if tok.encode(special).ids != [tok.token_to_id(special)]:
            failures.append(f"{special} is not a single special token")
    chat = render_chat(
        [
            {"role": "system", "content": "You are a math teacher."},
            {"role": "user", "content": documents[0][:200]},
            {"role": "assistant", "content": "<analyze>\nLet's analyze"},
        ],
        add_generation_prompt=True,
    )
    expected_start = "<|im_start|>system\nYou are a math teacher.<|im_end|>\n<|im_start|>user\n"
    if not chat.startswith(expected_start) or not chat.endswith("<|im_end|>\n<|im_start|>assistant\n"):
        failures.append(f"chat template renders unexpectedly: {chat!r}")
    if tok.decode(tok.encode(chat).ids, skip_special_tokens=False) != chat:
        failures.append("a rendered chat does not round-trip")
    if tok.encode(chat).tokens[0] != "<|im_start|>":
        failures.append("<|im_start|> in a chat is not encoded as the special token")
    return failures


def tokenizer_config(tok: Tokenizer, max_length: int) -> dict:
    return {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(tok.token_to_id(s)): {
                "content": s,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": True,
            }
            for s in SPECIAL_TOKENS
        },
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": max_length,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, type=pathlib.Path, help="text from `bin/coach data corpus`")
    ap.add_argument("--out", required=True, type=pathlib.Path, help="output directory")
    ap.add_argument("--vocab-size", type=int, default=1024)
    ap.add_argument("--model-max-length", type=int, default=4096)
    args = ap.parse_args()

    if not args.corpus.is_file():
        print(f"make_tokenizer: corpus file {args.corpus} does not exist", file=sys.stderr)
        return 2
    # The corpus writer separates documents with a blank line.
    documents = [d + "\n" for d in args.corpus.read_text(encoding="utf-8").split("\n\n\n") if d.strip()]
    if not documents:
        print(f"make_tokenizer: corpus file {args.corpus} is empty", file=sys.stderr)
        return 2

    tok = train(documents, args.vocab_size)
    failures = check(tok, documents)
    if failures:
        for f in failures[:20]:
            print("make_tokenizer: " + f, file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    tok.save(str(args.out / "tokenizer.json"))
    reloaded = Tokenizer.from_file(str(args.out / "tokenizer.json"))
    if reloaded.encode(documents[0]).ids != tok.encode(documents[0]).ids:
        print("make_tokenizer: the saved tokenizer.json encodes differently", file=sys.stderr)
        return 1
    (args.out / "tokenizer_config.json").write_text(
        json.dumps(tokenizer_config(tok, args.model_max_length), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    chars = sum(len(d) for d in documents)
    tokens = sum(len(e.ids) for e in tok.encode_batch(documents))
    print(
        f"make_tokenizer: vocab {tok.get_vocab_size()}, {len(documents)} documents, "
        f"{chars} characters -> {tokens} tokens ({chars / tokens:.2f} chars/token); "
        f"Yes={tok.token_to_id('Yes')} No={tok.token_to_id('No')}; wrote {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
