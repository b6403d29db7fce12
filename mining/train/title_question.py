"""A statement title as a yes/no question with its label, the PubMedQA PQA-A heuristic.

Jin et al. (EMNLP 2019) built PubMedQA's artificial set from titles such as "Naloxone
reverses the antihypertensive effect of clonidine": the auxiliary or copula moves to the
front ("X is Y" -> "Is X Y?"), a lexical verb gets "Does/Do/Did" and its base form, and the
label is "yes", or "no" when the title is negated ("X does not reduce Y" -> "Does X reduce
Y?", no). A title that is a question already keeps its text and has no label.

Every rule here prefers saying nothing (None) to a wrong question: a title is converted only
when its finite verb is an auxiliary or a verb of ``mining.train.title_verbs``, the words
before it read as a plain subject, and no negation is left that the label would not reflect.
"""

from __future__ import annotations

import re

from mining.train.title_verbs import HOMOGRAPHS, INTRANSITIVE, verb_form

Label = str | None
YES, NO = "yes", "no"

BE = frozenset({"is", "are", "was", "were"})
MODALS = {"can": "Can", "could": "Could", "should": "Should", "will": "Will", "would": "Would"}
MODALS |= {"must": "Must", "may": "Can", "might": "Could"}  # "May X ...?" reads badly
DO = frozenset({"does", "do", "did"})
HAVE = {"has": "does", "have": "do", "had": "did"}
# Negated auxiliaries written as one word, and the auxiliary each stands for.
CONTRACTED = {
    "isn't": "is",
    "aren't": "are",
    "wasn't": "was",
    "weren't": "were",
    "doesn't": "does",
    "don't": "do",
    "didn't": "did",
    "cannot": "can",
    "can't": "can",
    "couldn't": "could",
    "won't": "will",
    "wouldn't": "would",
    "shouldn't": "should",
    "hasn't": "has",
    "haven't": "have",
    "hadn't": "had",
}
FAIL = {"fails": "Does", "fail": "Do", "failed": "Did"}
# Negations the label would not capture if they stayed in the question.
# ("without" is none: "X reduces Y without affecting Z" is still a yes.)
NEGATIONS = frozenset({"not", "never", "neither", "nor", "no", "cannot"} | set(CONTRACTED))

# Words a subject cannot end with (the verb would then not be its verb), or contain (a
# clause of its own: "Evidence that X is Y").
FUNCTION_WORDS = frozenset(
    """
    a an the of in on at by for with from to into onto over under between among across
    through during after before versus vs and or but as than via per upon within without
    this these those its their his her our both each every some any all no not
    """.split()
)
CLAUSE_WORDS = frozenset(
    """
    which that who whom whose when where whether if because although though while how what
    why whereas unless since until once
    """.split()
)
WH_WORDS = frozenset("how why what when where which who whom whose".split())
# First words of a title that is no statement with its subject first.
BAD_STARTS = frozenset(
    """
    how why what when where which who whether if in among during after before for with
    following despite unlike compared toward towards on from through beyond under within
    across at to as by regarding concerning beyond
    """.split()
)
ADVERBS = frozenset(
    "also further still even only often rarely both not always frequently commonly thereby thus"
    " therefore then subsequently consequently".split()
)
NOT_ADVERBS = frozenset("family assembly anomaly supply monopoly italy july butterfly".split())
DETERMINERS = frozenset(
    """
    a an the this these those its their his her our both all each every some several many
    most more less fewer much two three four five six seven eight nine ten no any
    """.split()
)
# A homograph of HOMOGRAPHS before its preposition is the verb: "X acts as", "correlates with".
VERB_PREPOSITIONS = frozenset({("act", "as"), ("correlate", "with")})
PLURAL_NOUNS = frozenset({"children", "women", "men", "people", "mice", "data", "teeth", "feet"})
PARTICIPLES = frozenset(
    "been shown become led made given taken grown risen fallen arisen undergone found seen".split()
)
# "No association between X and Y" -> "Is there an association between X and Y?" (no).
NO_NOUNS = frozenset(
    """
    association effect difference relationship correlation link role benefit advantage increase
    reduction change improvement interaction impact relation excess protection
    """.split()
)
MASS_NOUNS = frozenset({"evidence", "effects", "differences", "associations", "changes"})
NO_ADJECTIVES = frozenset(
    """
    significant increased additional independent clear consistent major direct causal
    long-term measurable detectable beneficial protective adverse excess added further
    apparent substantial short-term relevant clinical
    """.split()
)
# The subtitle of a study design ("...: a randomized controlled trial") says nothing the
# question needs; any other colon subtitle makes the title unconvertible.
_DESIGN_SUBTITLE = re.compile(
    r"^(?:(?:a|an|the)\s)?(?:[\w-]+\s){0,8}?(?:study|trial|review|analysis|meta-analysis|report"
    r"|series|experience|survey|update|overview|evaluation|investigation|cohort|comparison"
    r"|follow-up|case|perspective|audit|experiment)s?\b[^:;]{0,80}$",
    re.IGNORECASE,
)
# Eponyms and other proper words that keep their capital when they open the subject.
PROPER = frozenset(
    """
    Alzheimer Parkinson Crohn Huntington Hodgkin Cushing Graves Kawasaki Wilson Down Behcet
    Sjogren Raynaud Kaposi Guillain Barrett Bell Tourette Asperger Addison Hashimoto Lyme
    American European African Asian Chinese Japanese Korean Indian British English French
    German Dutch Italian Spanish Swedish Danish Norwegian Finnish Canadian Australian
    Mexican Brazilian Medicare Medicaid
    """.split()
)


def title_question(title: str, abstract: str = "") -> tuple[str, Label] | None:
    """The yes/no question and its label read from ``title``; None when no rule applies.

    ``abstract`` (optional) decides whether the subject's first word keeps its capital: a
    word the abstract writes capitalised mid-sentence and never in lower case is a name.
    A title that is already a question comes back as it is, with the label None.
    """
    text = _clean(title)
    if not text:
        return None
    if "?" in text:
        return _question_title(text)
    text = _without_design_subtitle(text)
    if text is None or re.search(r"[:;]|\. [A-Z]|\s--?\s", text):
        return None
    words = text.split()
    if _shouting_or_title_case(words):
        return None  # "Ezetimibe Increases Hepatic Iron": no rule knows which capitals to keep
    first = words[0].lower()
    if first in BAD_STARTS or len(words) < 3 or len(words) > 40:
        return None
    if first in BE or first in MODALS or first in DO or first in HAVE:
        return text + "?", None  # a question without its mark
    if first in ("no", "lack", "absence"):
        return _no_noun(words)
    return _clause(words, abstract)


def _question_title(text: str) -> tuple[str, Label] | None:
    """The title's question, without what follows it ("...? A pilot study") or leads up to
    it in other sentences; None for a wh-question, which no yes or no answers."""
    question = text[: text.rindex("?") + 1]
    question = re.split(r"(?<=[.?!])\s+(?=[A-Z])", question)[-1]
    clause = question.rsplit(":", 1)[-1].split()
    if len(question.split()) < 4 or not clause or clause[0].lower() in WH_WORDS:
        return None
    return question, None


def _shouting_or_title_case(words: list[str]) -> bool:
    """Most longer lower-case-able words capitalised, past the first."""
    plain = [w for w in words[1:] if len(w) > 3 and w.isalpha()]
    capitalised = sum(w[0].isupper() for w in plain)
    return len(plain) >= 3 and capitalised / len(plain) > 0.5


def _clean(title: str) -> str:
    text = " ".join(title.split())
    if text.startswith("[") and text.endswith(("]", "].")):
        text = text.rstrip(".")[1:-1].strip()  # PubMed's brackets round a translated title
    return text.rstrip(". ").strip()


def _without_design_subtitle(text: str) -> str | None:
    """The title without a study-design subtitle after ":" or ". "; None when another
    subtitle is there."""
    sentences = re.split(r"\. (?=[A-Z])", text)
    if len(sentences) == 2 and ":" not in text:
        text = f"{sentences[0]}: {sentences[1]}"
    if ":" not in text:
        return text
    head, _, tail = text.rpartition(":")
    if ":" in head or not _DESIGN_SUBTITLE.match(tail.strip()):
        return None
    return head.strip()


def _no_noun(words: list[str]) -> tuple[str, Label] | None:
    """ "No (significant) association between X and Y", "Lack of effect of X on Y" ->
    "Is there a (significant) association ...?" labelled no."""
    rest = words[1:]
    if words[0].lower() in ("lack", "absence"):
        if rest[:1] != ["of"]:
            return None
        rest = rest[1:]
    adjectives = []
    while rest and rest[0].lower() in NO_ADJECTIVES:
        adjectives.append(rest.pop(0))
    if len(rest) < 3 or rest[0].lower() not in NO_NOUNS | MASS_NOUNS:
        return None
    noun, tail = rest[0], rest[1:]
    if tail[0].lower() not in ("of", "between", "for", "in", "on", "with", "from", "to", "that"):
        return None
    if any(_is_verb_like(w) for w in tail) or _has_negation(tail):
        return None
    phrase = [*adjectives, noun]
    if noun.lower() not in MASS_NOUNS:
        phrase.insert(0, "an" if phrase[0][0].lower() in "aeiou" else "a")
    return " ".join(["Is there", *(w.lower() for w in phrase), *tail]) + "?", NO


def _is_verb_like(word: str) -> bool:
    lw = word.lower()
    return lw in BE or lw in MODALS or lw in DO or lw in HAVE or lw in CONTRACTED


def _has_negation(words: list[str]) -> bool:
    return any(
        w.lower().strip(",.()") in NEGATIONS and not (w.lower() == "no" and prev == "with")
        for prev, w in zip(["", *(p.lower() for p in words)], words, strict=False)
    )


def _is_adverb(word: str) -> bool:
    lw = word.lower()
    return lw in ADVERBS or (lw.endswith("ly") and len(lw) > 5 and lw not in NOT_ADVERBS)


def _clause(words: list[str], abstract: str) -> tuple[str, Label] | None:
    """Find the finite verb, check the subject before it, and rebuild as a question."""
    for i in range(1, len(words)):
        built = _at_verb(words, i)
        if built is None:
            continue
        if built == "stop":
            return None
        aux, verb, rest, label = built
        end = i
        while end > 1 and _is_adverb(words[end - 1]) and words[end - 1].lower() != "not":
            end -= 1
        subject, adverbs = words[:end], words[end:i]
        if not _plain_subject(subject) or not rest and verb is None:
            return None
        rest, label = _negation_after_verb(rest, label)
        if rest is None or _has_negation(rest):
            return None
        rest = _coordinated_to_base(rest, aux)
        if rest is None:
            return None
        question = [aux, _lower_first(subject[0], abstract), *subject[1:], *adverbs]
        if verb:
            question.append(verb)
        question += rest
        return " ".join(question).rstrip(".,") + "?", label
    return None


def _at_verb(words: list[str], i: int):
    """(auxiliary, base verb or None, words after, label) when words[i] is the finite verb;
    None when it is not (go on looking); "stop" when the title cannot be converted."""
    word = words[i]
    lw = word.lower()
    nxt = words[i + 1].lower() if i + 1 < len(words) else ""
    rest = words[i + 1 :]
    if lw in CONTRACTED:
        aux = CONTRACTED[lw]
        return _have(aux, ["not", *rest]) if aux in HAVE else _auxiliary(aux, ["not", *rest])
    if lw in BE or lw in MODALS or lw in DO:
        return _auxiliary(lw, rest)
    if lw in HAVE:
        return _have(lw, rest)
    if lw in FAIL and nxt == "to" and len(rest) > 1:
        return FAIL[lw], None, rest[1:], NO
    form = verb_form(lw)
    if form is None:
        return None
    prev = words[i - 1].lower()
    article = prev in FUNCTION_WORDS and words[i - 1] != "A"  # "neoechinulin A suppresses"
    if article or prev in CLAUSE_WORDS or prev.endswith(","):
        return None  # "patients with reduced ...", "strategies to reduce ..."
    if form.tense == "present":
        plural_noun = nxt in FUNCTION_WORDS and (form.base, nxt) not in VERB_PREPOSITIONS
        if form.base in HOMOGRAPHS and (plural_noun or not nxt or nxt.endswith(",")):
            return None  # "increases in X", "causes of Y": a plural noun
        return "Does", form.base, rest, YES
    if form.tense == "past":
        finite = form.base in INTRANSITIVE or nxt in DETERMINERS or _is_adverb(nxt)
        if not finite:
            return None  # a participle: "patients treated with X"; the verb may follow
        return "Did", form.base, rest, YES
    # A base form after a plural subject: "Statins reduce mortality".
    if not (prev.endswith("s") and not prev.endswith("ss") or prev in PLURAL_NOUNS):
        return None
    if form.base in HOMOGRAPHS and nxt not in DETERMINERS:
        return None
    if nxt in ("of", "in", "for", "among", "and", "to", "with") or not nxt:
        return None
    return "Do", form.base, rest, YES


def _auxiliary(lw: str, rest: list[str]):
    if not rest:
        return "stop"
    label = YES
    if rest[0].lower() == "not":
        rest, label = rest[1:], NO
    if not rest:
        return "stop"
    aux = MODALS.get(lw, lw.capitalize())
    return aux, None, rest, label


def _have(lw: str, rest: list[str]):
    """ "has been/shown ..." keeps "Has" in front; "has antitumor activity" is the main verb
    and asks "Does X have ...?"."""
    label = YES
    if rest[:1] and rest[0].lower() == "not":
        rest, label = rest[1:], NO
    if not rest:
        return "stop"
    # The word after any adverbs: "has recently been shown".
    at = next((k for k, w in enumerate(rest) if not _is_adverb(w)), len(rest))
    following = rest[at].lower() if at < len(rest) else ""
    after = rest[at + 1].lower() if at + 1 < len(rest) else ""
    form = verb_form(following)
    if following in PARTICIPLES:
        return lw.capitalize(), None, rest, label
    if form is not None and form.tense == "past" or following.endswith("ed"):
        # "has reduced the risk" is the perfect; "has limited activity" is "have" with an
        # adjective, and a bare word after the "-ed" leaves both readings open.
        if after in DETERMINERS or after in FUNCTION_WORDS or not after or _is_adverb(after):
            return lw.capitalize(), None, rest, label
        return "stop"
    if label == NO:
        return "stop"  # "has not antitumor activity" is no English a rule can rely on
    return HAVE[lw].capitalize(), "have", rest, label


def _negation_after_verb(rest: list[str], label: Label) -> tuple[list[str] | None, Label]:
    """ "X has no effect", "X is no better than Y" -> "... any effect", "... any better":
    the "no" becomes "any" and the label no."""
    if not rest or rest[0].lower() != "no":
        return rest, label
    if label == NO or len(rest) < 2 or rest[1].lower() in ("longer", "one", "more"):
        return None, label
    return ["any", *rest[1:]], NO


AUX_BEFORE_PARTICIPLE = frozenset({"Is", "Are", "Was", "Were", "Has", "Have", "Had"})


def _coordinated_to_base(rest: list[str], aux: str) -> list[str] | None:
    """ "X inhibits Y and induces Z": the second verb follows the first into its base form.
    None when a second finite verb cannot follow ("Is X a regulator and suppresses Y")."""
    tense = {"Does": "present", "Did": "past", "Do": "plural"}.get(aux)
    out = list(rest)
    for j in range(1, len(out)):
        k = j - 1
        while k > 0 and _is_adverb(out[k]):  # "and thereby protects"
            k -= 1
        prev = out[k].lower()
        form = verb_form(out[j])
        if prev in ("and", "but") and _is_verb_like(out[j]):
            return None  # "X does not cause Y and is ...": the label would cover one half
        if form is None or not (prev in ("and", "but") or prev.endswith(",")):
            continue
        if form.tense == tense:
            out[j] = form.base
        elif form.tense == "present" or tense is None and aux in AUX_BEFORE_PARTICIPLE:
            return None  # "Are X associated with Y and occur ...", after "Is/Has" not a verb
    return out


def _plain_subject(subject: list[str]) -> bool:
    if not subject or len(subject) > 20:
        return False
    lowered = [w.lower().strip("(),") for w in subject]
    if (
        lowered[-1] in FUNCTION_WORDS
        and subject[-1] != "A"
        or any(w in CLAUSE_WORDS for w in lowered)
    ):
        return False
    if any(w.endswith(",") for w in subject) or _has_negation(subject):
        return False
    if any(_finite_present(w) for w in subject[1:]):
        return False  # a verb was passed over: the real clause starts earlier
    return not any(_is_verb_like(w) for w in subject)


def _finite_present(word: str) -> bool:
    form = verb_form(word)
    return form is not None and form.tense == "present" and form.base not in HOMOGRAPHS


def _lower_first(word: str, abstract: str) -> str:
    """The subject's first word without its title capital, unless it is an abbreviation
    ("DNA", "HIV-1"), a possessive name ("Parkinson's"), or a name the abstract shows."""
    head = word.split("-", 1)[0]
    if not head[:1].isupper() or any(c.isupper() or c.isdigit() for c in head[1:]):
        return word
    if len(head) == 1 and word != "A":  # "T cells", "X-box binding protein"
        return word
    if "'" in word or "\u2019" in word or head.strip("()") in PROPER:
        return word
    if abstract and _named_in(head, abstract):
        return word
    return word[0].lower() + word[1:]


def _named_in(word: str, abstract: str) -> bool:
    escaped = re.escape(word)
    # Capitalised where no sentence starts, and never in lower case.
    capital_inside = re.search(rf"(?<![.!?:] )(?<!^)\b{escaped}\b", abstract)
    lower = re.search(rf"\b{re.escape(word.lower())}\b", abstract)
    return bool(capital_inside) and not lower
