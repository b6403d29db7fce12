"""The verbs a statement title may turn on, with every inflected form mapped to its base.

``mining.train.title_question`` only converts a title whose finite verb is one of these:
a closed list keeps precision high, because a plural noun ("levels", "effects") looks just
like a third-person verb and only a lexicon tells them apart. The forms are generated from
the base, so "reduced" -> "reduce" and "controlled" -> "control" are exact, never guessed.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Tense = Literal["present", "past", "plural"]

# Verbs of biomedical statement titles ("X reduces Y", "X induced Y"), base forms.
BASES: frozenset[str] = frozenset(
    """
    ablate abolish abrogate accelerate accompany accumulate act activate affect
    aggravate alleviate allow alter ameliorate amplify antagonise antagonize appear
    arrest associate attenuate augment avert bind block blunt boost bypass cause
    characterise characterize cleave co-localize coincide colocalize compensate confer
    confirm contain contribute control convert correlate counteract cross cure damage
    decline decrease define delay demonstrate depend deplete destabilise destabilize
    detect determine develop differ diminish disrupt distinguish down-regulate
    downregulate drive elevate elicit emerge enable encode enhance evoke exacerbate
    exert exhibit exist explain express extend facilitate fail follow generate harm help
    hinder identify impair impede improve inactivate increase induce infect influence
    inhibit injure intensify interact interfere involve kill lack lessen limit localise
    localize lower maintain mediate mimic minimise minimize modify modulate normalise
    normalize occur offset outperform persist phosphorylate play potentiate precede
    predict preserve prevent produce prolong promote protect provide raise reactivate
    recruit recur reduce reflect regulate rely remain represent repress require rescue
    resemble reset resist respond restore result reveal reverse sensitise sensitize
    serve shorten show signal slow spare stabilise stabilize stimulate strengthen
    suppress sustain target trigger underlie undermine up-regulate upregulate vary
    weaken worsen
    """.split()
)
# Verbs that take no object, so their "-ed" form is never a passive participle and is
# always finite ("X resulted in Y", unlike "patients treated with Y").
INTRANSITIVE: frozenset[str] = frozenset(
    """
    accumulate act appear coincide contribute correlate decline depend differ emerge exist
    fail interact interfere occur persist recur rely remain respond result vary
    """.split()
)
# Verbs whose forms are also common nouns or adjectives ("increases in X", "results of Y",
# "lower limb"): read as a verb only where the next word says so ("X increases the risk").
HOMOGRAPHS: frozenset[str] = frozenset(
    """
    act arrest block cause control correlate cure damage decline decrease delay harm increase
    influence lack limit lower offset result signal target trigger
    """.split()
)
# Past tenses that no rule derives; the ones also used as participles ("made", "led") keep
# the participle checks of the "-ed" forms.
IRREGULAR_PAST: dict[str, str] = {
    "led": "lead",
    "made": "make",
    "drove": "drive",
    "gave": "give",
    "took": "take",
    "became": "become",
    "underwent": "undergo",
    "overcame": "overcome",
    "arose": "arise",
    "rose": "rise",
    "fell": "fall",
    "grew": "grow",
    "held": "hold",
    "kept": "keep",
}
IRREGULAR_PRESENT: dict[str, str] = {
    base + ("es" if base.endswith("o") else "s"): base
    for base in ("lead", "make", "give", "take", "become", "undergo", "overcome")
    + ("arise", "rise", "fall", "grow", "hold", "keep")
}
# Past forms that double the last consonant ("controlled"), with the spellings of both sides
# of the Atlantic where they differ.
_DOUBLED: dict[str, tuple[str, ...]] = {
    "control": ("controlled",),
    "occur": ("occurred",),
    "recur": ("recurred",),
    "confer": ("conferred",),
    "offset": ("offset",),
    "reset": ("reset",),
    "signal": ("signaled", "signalled"),
    "mimic": ("mimicked",),
}


class VerbForm(NamedTuple):
    base: str
    tense: Tense


def third_person(base: str) -> str:
    if base.endswith(("s", "x", "z", "ch", "sh")):
        return base + "es"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ies"
    return base + "s"


def past_tenses(base: str) -> tuple[str, ...]:
    if base in _DOUBLED:
        return _DOUBLED[base]
    if base.endswith("e"):
        return (base + "d",)
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return (base[:-1] + "ied",)
    return (base + "ed",)


def _forms() -> dict[str, VerbForm]:
    forms: dict[str, VerbForm] = {}
    for base in BASES:
        forms[base] = VerbForm(base, "plural")
        forms[third_person(base)] = VerbForm(base, "present")
        for past in past_tenses(base):
            forms[past] = VerbForm(base, "past")
    for form, base in IRREGULAR_PRESENT.items():
        forms.setdefault(base, VerbForm(base, "plural"))
        forms[form] = VerbForm(base, "present")
    for form, base in IRREGULAR_PAST.items():
        forms[form] = VerbForm(base, "past")
    return forms


FORMS: dict[str, VerbForm] = _forms()


def verb_form(word: str) -> VerbForm | None:
    """The base and tense of a lexicon verb form (lower-cased), else None."""
    return FORMS.get(word.lower())
