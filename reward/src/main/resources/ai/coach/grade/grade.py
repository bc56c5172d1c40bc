"""Coach's answer grading, run in-process through Jep (ai.coach.grade.AnswerGrader).

Equivalence is decided by Hugging Face's math-verify; on top of it, two numbers
count as equal within a relative tolerance of 1e-4 (as the Qwen2.5-Math grader
does), and a percentage may be matched either as a fraction or as the number
before the percent sign.
"""
import logging
import math
import re

import sympy
from math_verify import parse, verify

# The signal-based timeouts of math-verify only work on Python's main thread,
# which a Jep interpreter never is; without them it logs a warning on each call.
logging.getLogger("math_verify").setLevel(logging.ERROR)

REL_TOL = 1e-4
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_ANSWER_IS = re.compile(r"the (?:final )?answer is[:\s]*", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:(?:,|\\,|\{,\}|\s)\d{3})+(?:\.\d+)?$")


def _last_boxed(text):
    """Content of the last \\boxed{...}, braces balanced, or None."""
    starts = [m.end() for m in _BOXED.finditer(text)]
    for start in reversed(starts):
        depth = 1
        i = start
        while i < len(text):
            c = text[i]
            if c == "\\" and i + 1 < len(text):
                i += 2
                continue
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return text[start:i].strip()
            i += 1
    return None


def extract_answer(text):
    """The final answer stated in a solution, or None if it states none."""
    boxed = _last_boxed(text)
    if boxed is not None:
        return boxed
    matches = list(_ANSWER_IS.finditer(text))
    if matches:
        rest = text[matches[-1].end():].strip()
        rest = rest.split("\n", 1)[0].strip()
        rest = re.sub(r"[.\s]+$", "", rest)
        if rest.startswith("$") and rest.endswith("$") and len(rest) > 1:
            rest = rest.strip("$").strip()
        return rest or None
    return None


def normalize(answer):
    s = answer.strip()
    s = re.sub(r"\\text\{\s*\}", "", s)
    s = s.replace("\\!", "").replace("\\left", "").replace("\\right", "")
    s = s.replace("^\\circ", "").replace("^{\\circ}", "").replace("\\$", "")
    s = re.sub(r"\\(?:d|t)frac", r"\\frac", s)
    s = s.strip().rstrip(".").strip()
    if _THOUSANDS.match(s):
        s = re.sub(r"\\,|\{,\}|,|\s", "", s)
    return s


_POWER = re.compile(r"(?:\^|\*\*)\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\(?[-+]?[\w.]+\)?)")
_FACTORIAL = re.compile(r"(\d+)\s*!")
_HUGE = 10_000


def _explosive(answer):
    """Whether evaluating the answer could run for ages: sympy computes 10^{10^{10}} or
    (10^6)! exactly, in one C call that nothing can interrupt from outside."""
    for match in _POWER.finditer(answer):
        exponent = match.group(1).strip("{}() ")
        if "^" in exponent or "*" in exponent or "!" in exponent:
            return True
        try:
            if abs(float(exponent)) > _HUGE:
                return True
        except ValueError:
            pass
    return any(int(n) > _HUGE for n in _FACTORIAL.findall(answer))


def _parse(answer):
    text = answer if "$" in answer or "\\(" in answer or "\\[" in answer else "$" + answer + "$"
    parsed = parse(text, parsing_timeout=None)
    if not parsed:
        parsed = parse(answer, parsing_timeout=None)
    return parsed


def _number(parsed):
    if not parsed or not isinstance(parsed[0], sympy.Basic):
        return None
    expr = parsed[0]
    if isinstance(expr, sympy.Eq) and isinstance(expr.lhs, sympy.Symbol):
        expr = expr.rhs
    if not isinstance(expr, sympy.Expr) or not expr.is_number:
        return None
    try:
        value = complex(expr.evalf())
    except (TypeError, ValueError):
        return None
    if value.imag != 0 or math.isnan(value.real) or math.isinf(value.real):
        return None
    return value.real


def _numbers_equal(pred, gold, pred_value, gold_value):
    candidates = [(pred_value, gold_value)]
    if "%" in gold and "%" not in pred:
        candidates.append((pred_value, gold_value * 100))
    if "%" in pred and "%" not in gold:
        candidates.append((pred_value * 100, gold_value))
    return any(math.isclose(p, g, rel_tol=REL_TOL, abs_tol=0.0) for p, g in candidates)


def equal(prediction, gold):
    """Whether the answer stated in `prediction` equals the gold answer."""
    pred = extract_answer(prediction)
    if pred is None:
        pred = prediction
    gold_answer = extract_answer(gold)
    if gold_answer is None:
        gold_answer = gold
    pred = normalize(pred)
    gold_answer = normalize(gold_answer)
    if not pred or not gold_answer:
        return False
    if pred == gold_answer:
        return True
    if _explosive(pred) or _explosive(gold_answer):
        # Such answers are compared as text only (done above).
        return False
    pred_parsed = _parse(pred)
    gold_parsed = _parse(gold_answer)
    pred_value = _number(pred_parsed)
    gold_value = _number(gold_parsed)
    if pred_value is not None and gold_value is not None:
        return _numbers_equal(pred, gold_answer, pred_value, gold_value)
    if not pred_parsed or not gold_parsed:
        return False
    if verify(gold_parsed, pred_parsed, timeout_seconds=None):
        return True
    return _expressions_equal(pred_parsed[0], gold_parsed[0])


def _expressions_equal(pred, gold):
    """Algebraic identity of two expressions that math-verify left unsimplified."""
    if not (isinstance(pred, sympy.Expr) and isinstance(gold, sympy.Expr)):
        return False
    try:
        return sympy.simplify(pred.doit() - gold.doit()) == 0
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return False
