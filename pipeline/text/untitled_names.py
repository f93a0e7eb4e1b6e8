"""Names without a title in running text: "Priya Shah", "sam okafor", "Nguyễn Văn An".

No model: names come from lists (``name_lexicon``: Faker's per-locale lists of frequent given
names and surnames, and our own) weighed with the shape of the text. Hand-written because
the one library that finds names in text without a title, spaCy's NER, needs a trained
pipeline that is not on the package index here (DESIGN.md, "Known traps"); a user who
installs one can still switch ``clean.redact.ner`` on beside this.

The evidence needed grows as the text gives less away:
- a run of capitalised words (particles such as "de", "bin", "Ní" may join them) is a name
  when, once everyday words at either end are trimmed ("Thanks", "Overall"), every word left
  is a known given name or surname or an unknown non-English word, and at least one is a
  known name that is not an everyday word or an unknown word ("Oluwaseun Adeyemi"); a run
  holding a word of an organisation, place, programme or the calendar ("NHS Staff Council",
  "Greater Manchester", "Agenda for Change", "Monday") is not a name;
  a capitalised word after a known given name is taken as its surname ("Ben Thornton");
- one capitalised word is a name when it is a known name and not an everyday word ("Priya",
  not "Grace" or "Will"), unless a title-case word follows ("Rose Garden"), an article comes
  before ("the Christie") or it is a surname alone opening a sentence ("Walker aid"); an
  unknown non-English word alone only after a cue ("my colleague Adaeze");
- lower case or capitals need two known names side by side, in either order, one of them
  not an everyday word ("sam okafor", "li wei"); a known name and an unknown word
  ("folake adeniran", "oksana shevchenko"); a given name and a rare noun that may be a
  surname ("fiona calder"); a given name and another word across a joining word ("siobhan
  ni bhriain"); or a cue before a known name or an unknown word ("spoke to priya", "thanks
  to chidi nwosu"). A name of two words found is a cue for the words joined to it by "and"
  or a comma. An unknown word one edit from a common English word is a typing slip, not a
  name ("backround"), unless it is short and a known surname follows ("carys bevan");
- two words no list holds (neither English nor a slip; one may look like a short slip) need a
  weaker cue: a word that puts a person next ("changed by", "with", "our ward clerk") or,
  after them, a verb a person does or a possessive ("tanvir hossain deserves", "X Y WAS");
  one word, a cue before it or a verb only a person does after it ("ruvimbo explained");
- two single words joined by "and", each a known name or an unknown non-English word, are
  names when a person's verb or a team follows ("Bincy and Tintu covered", "salman and hira
  on the early shift"); a given name found alone is a cue for the word "and" joins to it
  ("Mykola and Iryna"); a possessive before what only a person has ("Nakato's manager") and
  "helped", "and her team" after one word are cues; "in", "on", "from" after two unlisted
  words are a weak cue ("vasanthi rajendran in pharmacy");
- a word (or run) followed by a lower-case word that names a place or a thing is not a name
  ("Heather ward", "Victoria line", but "Kate ward manager"); a given name that is also an
  English word, opening a sentence before an everyday word, is that word ("Frank
  conversations", "Carol singing"); a clinical system's name alone is not a name ("Lorenzo");
- capitals are read like lower case; a word in capitals that reads as a word, not letters
  (four letters or more, two vowels: "ANSAH", not "CAMHS"), may be an unknown name;
- in a capitalised run, a word English only as a rare noun or a name-like particle before a
  known surname is its given name ("Berk Yüksel"); an accented word is not a particle unless
  it is an Irish one ("Mạc Đình Phú", "Ní"); a word beside "upon" or "under" and a capital
  is a place ("Kingston upon Thames", "Weston super Mare");
- a team after one word ("Osei in pathology", "Nuttall on the bank office", "grainne and
  dymphna in day surgery"; not "Kirkby in Ashfield community team", "a pres in office") or
  what is said only of a person ("Tsang is a fantastic charge nurse") is a cue for a known
  name or an unknown word that is not a drug's ("Movicol on the ward") nor a role's ("physio");
  a rare noun between such a word and the team is its surname ("Morag Sutherland in the");
  "were" after two words joined by "and" is a cue ("Bongani and Lindiwe were"); a capitalised
  unknown word that looks like a slip is a name before a person's verb ("Arnel helped");
- one unknown word in lower case or capitals, five letters or more, opening a sentence
  (maybe after "honestly", "but") before a person's verb is a name ("honestly gbemisola is");
- a possessive before a disease word ("Addison's disease", "Bell's palsy"), an eponymous
  disease's possessive ("Parkinson's") and a named organisation ("Sue Ryder", "Marks and
  Spencer") are not a person; a role before a comma and a name is not one ("The physio, X Y");
- UK places, hospitals, and the charities, shops and firms named after people
  (``name_places``): a name found inside such a phrase is not a person ("Fort William",
  "Glan Clwyd", "Robert Dyas", "Maggie's", but "Maggie's kindness"); a place no name list
  holds is no evidence of a name ("Basildon"), one that is a name is a place after "in",
  "at", "near" (or "to", "from" when not a given name) or before a place's noun ("in
  Preston", "Crosby station", "Shirley in Solihull"); drugs and eponymous tests are never a
  name ("Piriton", "Waterlow"), nor a word before an eponymous thing ("Foley catheter",
  "Gillick competent") nor after "Storm" ("Storm Arwen");
- one known name or unknown word (a word like a slip too, in capitals or capitalised, before
  what is said only of a person) before "is"/"was" and a quality is a name ("Ogilvie was
  brilliant", "Mehrdad is why", "NIMCO IS SO KIND"), unless it may be a place or a system
  ("in Lerwick was friendly", "Lorenzo was unhelpful"); a capitalised rare noun before what
  is said only of a person too ("Clovis is the best porter"); a pair joined by "and" with a
  cue after needs one word that is a name, the other may be an English word if capitalised
  or a rare noun ("Chan and Liang in pathology", "Maha and Nour on the day unit"); a cue
  before two or three capitalised words no list holds, one a rare noun, is a name ("looked
  after by Innes Crichton"); so is one word between a role and a comma and another comma
  ("The porter, Wojtek, was a star").
- a sentence wholly in capitals is read twice: as written, and recased as ordinary text (a
  name-like word capitalised, an everyday word in lower case, letters such as "CAMHS" kept),
  so the rules for capitalised words read it ("SIDEBOTTOM IS THE ONLY MANAGER");
- a possessive before a person's work ("Asantewaa's notes", "X's clinic", "X's patients") is
  a cue, unless an eponymous thing follows ("Ryle's tube", "Rinne and Weber tests",
  "Mallory-Weiss tear"); a role said of a word ("is a superb healthcare assistant") is one
  for a capitalised unknown word too, when at most two words stand between; "was calm"
  or "was brilliant with my son" is said of a person;
- a list after a cue or before a person's verb or a team ("Thanks to Rumana and Mofizul",
  "Llinos, Esyllt and Cledwyn in the pharmacy") needs one member that is a name; the others
  may be unknown or capitalised words that are no everyday word ("Cressida and Peregrine");
- a lower-case rare noun opening a sentence before "is/was" and a quality is a name
  ("honestly jocasta was brilliant"); a role word is never one ("the physio explained"),
  nor a voice assistant without a cue ("Alexa reminds my mum").

Known misses (the development sets'): Cantonese given names that are English words ("Cheung
Wing"); two unlisted words in capitals that both look like slips with no person's verb
right after them ("GETHIN PROSSER AND THE", "OAKES AND THRELFALL"; but "YONAS TEKLE
SHOULD" is found, and so is a shouted pair of slips, "SERVISE TERRIBEL WAS"); one unknown word alone after a weak cue or none ("lost without Parisa",
"Gebreyesus has done", "team Ruvimbo never gave up"); an English word as a given name
("Precious Ncube", "verity in pharmacy"). A place that is a given name opening a sentence
is taken for a person ("Christie was brilliant", "Kingston was efficient").
"""

from __future__ import annotations

import itertools

import regex

from pipeline.text import name_cues as cue
from pipeline.text import name_lexicon as lex
from pipeline.text import name_places, name_words
from pipeline.text.name_tokens import WORD, Word, spoken, strong, word_facts, words_of
from pipeline.text.names import POSSESSIVE

Span = tuple[int, int]

def _recase(match: regex.Match[str]) -> str:
    """A word of a sentence in capitals written as in ordinary text: a known name that is not
    an everyday word or an unknown word read as a word capitalised ("SIDEBOTTOM", "ANSAH"),
    letters kept ("CAMHS", "NHS"), any other word in lower case ("IS", "THE")."""
    token = match.group()
    base, tail = (token[:-2], token[-2:].lower()) if token.endswith(POSSESSIVE) else (token, "")
    if strong(base):
        key = lex.key(base)
        if not spoken(key) and (len(key) < 3 or not any(c in "aeiouy" for c in key)):
            return token  # "LI", "NG": a name like letters, read as capitals were
        return "-".join(p[:1] + p[1:].lower() for p in base.split("-")) + tail
    if word_facts(base)[3] or lex.english(base):
        return base.lower() + tail  # "IS", "THE", "TEAM"
    return token  # "CAMHS", "NHSE": letters


def recase_capitals(text: str) -> str:
    """``text`` with each sentence written wholly in capitals (two words or more) recased as
    ordinary text, the same length, so that the rules for capitalised words read it
    ("KARAKAYA'S TEAM DID A FANTASTIC JOB" as "Karakaya's team did a fantastic job")."""
    if not cue.CAPITALS.search(text):
        return text
    pieces, at = [], 0
    for sentence in cue.SENTENCE.finditer(text):
        part = sentence.group()
        if cue.LOWER_LETTER.search(part) or len(WORD.findall(part)) < 2:
            continue
        recased = WORD.sub(_recase, part)
        if len(recased) == len(part):
            pieces += [text[at:sentence.start()], recased]
            at = sentence.end()
    return "".join(pieces) + text[at:] if pieces else text


def _joined(text: str, left: Word, right: Word) -> bool:
    """True when only spaces stand between two words (and ``left`` has no possessive)."""
    gap = text[left.end:right.start]
    return bool(gap) and not gap.strip(" \t")


def _cued(text: str, word: Word, cued_at: frozenset[int] = frozenset()) -> bool:
    """A cue before ``word`` ("spoke to"), a role and a comma before it and a comma after
    ("The porter, Wojtek, was") or a role after it in brackets or commas ("Oyelaran (the
    HCA)", "Wambui, our physio,"), a name it is joined to, or a verb only a person does after
    it ("tendai said", "Selvakumar explained")."""
    if lex.key(word.text) in cue.ROLE_WORDS:
        return False  # "the physio explained": a role, not a name
    return word.start in cued_at or \
        cue.CUE.search(text[max(0, word.start - cue.CUE_WINDOW):word.start]) is not None or \
        (word.strong and cue.ROLE_APPOSITION.search(text, max(0, word.start - cue.CUE_WINDOW),
                                                word.start) is not None
         and text.startswith(",", word.end)) or \
        (word.strong and cue.ROLE_AFTER.match(text, word.end) is not None) or \
        ((word.known or _unlisted(word) or (word.foreign and word.shape == "cap"))
         and (cue.PERSON_AFTER.match(text, word.end) is not None
              or cue.POSSESSIVE_PERSON.match(text, word.end)
              or _possessive_work(text, word))) or _team_or_role(text, word)


def _possessive_work(text: str, word: Word) -> bool:
    """A possessive before a person's work ("Asantewaa's notes", "KARAKAYA'S TEAM"); for an
    unknown word, five letters or more and not a list or a letter ("Bupa's patients",
    "Ryanair's list" are a firm's)."""
    work = cue.POSSESSIVE_WORK.match(text, word.end)
    return work is not None and (word.known or (
        len(word.text) > 4 and regex.sub(r"^['’]s\s+", "", work.group()).lower()
        not in name_words.WORK_PAPERS))


def _team_or_role(text: str, word: Word) -> bool:
    """A team after one word ("Osei in pathology", "grainne in day surgery", "sukhwinder on
    nights") or what is said only of a person ("Tsang is a fantastic charge nurse"; not after
    a word like a slip, "Timescale was a little long nurse") or of a person more than a place
    ("Ogilvie was brilliant", "Mehrdad is why"): a cue for a known name, or an unknown
    non-English word, that is not a drug's name nor a role's ("Movicol on the ward", "physio
    on the ward"). A capitalised rare noun before what is said only of a person is one too
    ("Clovis is the best porter"), and a word like a slip before "is kind", "was rude" ("NIMCO
    IS SO KIND")."""
    if lex.key(word.text) in cue.ROLE_WORDS or _drug_like(word) or \
            cue.DETERMINER.search(text, max(0, word.start - 8), word.start):
        return False  # "a pres in office": a thing
    if not word.strong:
        return word.rare_noun and word.shape == "cap" and not _place_like(text, word) and \
            cue.PERSON_PREDICATE.match(text, word.end) is not None
    if word.shape == "lower" and not word.known and not (_unlisted(word) and len(word.text) > 4):
        return False
    quality = cue.PERSON_QUALITY.match(text, word.end)
    return cue.TEAM_CUE.match(text, word.end) is not None or (
        (word.known or _unlisted(word)) and (
            cue.PERSON_PREDICATE.match(text, word.end) is not None
            or (quality is not None and not _place_like(text, word)))) or (
        word.foreign and word.shape == "cap" and len(word.text) > 4
        and cue.NEAR_PREDICATE.match(text, word.end) is not None
        and not _place_like(text, word)) or (
        quality is not None and word.foreign and len(word.text) > 4 and (
            quality.group(1) is not None or cue.WITH_A_PERSON.match(text, quality.end()))
        and not _place_like(text, word))


def _place_like(text: str, word: Word) -> bool:
    """True when ``word`` may be a place or a system rather than a person whom "is kind"
    describes: a place of our lists ("Preston was lovely"), a clinical system, a word shaped
    like a product's name ("SystmOne", an unknown word ending in "x": "Accurx"), a word after "in", "at", "to" ("Hospital in
    Lerwick was friendly") or beside a place ("Norfolk and Waveney was excellent")."""
    return lex.key(word.text) in cue.MACHINES | name_places.PLACES or \
        cue.PRODUCT_SHAPE.search(word.text) is not None or \
        (not word.known and word.text.endswith(("x", "X"))) or \
        cue.PLACE_CUE_BEFORE.search(text, max(0, word.start - 12), word.start) is not None or \
        _beside_a_place(text, word)


def _drug_like(word: Word) -> bool:
    """An unknown word with a drug name's ending ("Oramorph", "Gabapentin", "Tazocin")."""
    return not word.known and lex.key(word.text).endswith(name_words.DRUG_ENDINGS)


def find_untitled_names(text: str) -> list[Span]:
    """Spans of people's names written without a title (``text`` already folded). A name
    found is a cue for the words joined to it by "and" or a comma ("thanked Priya Shah and
    folake adeniran"): a second pass reads them with that cue. A sentence in capitals is
    read twice, as written and recased as ordinary text ("SIDEBOTTOM IS THE ONLY MANAGER")."""
    recased = recase_capitals(text)
    spans = _find_all(text)
    if recased == text:
        return spans
    return _merge(spans + [s for s in _find_all(recased) if _recased_name(recased, s)])


def _recased_name(text: str, span: Span) -> bool:
    """True when a name found in a sentence recased from capitals holds no English word
    (not "A CHRISTIAN BASED PARTY", "AN IVY LEAGUE COLLEGE") or, when of two words or
    more, a known name and no English word but a known name ("LUO BINGBING"; not Spanish or
    slips side by side: "COSAS BUENAS OARA", "MEDEICAL ASISTANCE")."""
    words = WORD.findall(text, *span)
    if len(words) == 1:
        return not lex.english(words[0])
    known = [word_facts(w)[1] or word_facts(w)[2] for w in words]  # "Luo" is English too
    return any(known) and known.count(False) < 2 and not any(  # not "MISMA ESCUELA DE BUSH"
        lex.english(w) and not k for w, k in zip(words, known, strict=True))


def _find_all(text: str) -> list[Span]:
    """``find_untitled_names`` of one reading of a text."""
    if not any(map(strong, WORD.findall(text))) and not cue.CAPITALISED_PERSON.search(text) \
            and not _cued_capitals(text) and not _rare_before_is(text):
        return []  # no known name nor unknown word: most answers stop here
    words = words_of(text)
    spans = _find(text, words, frozenset())
    pairs = _pair_with_a_cue(text)  # names themselves, even "Chan", "Maha": they passed
    cued_at = _beside(text, spans) | {start for start, _ in pairs}
    spans = _merge(spans + _find(text, words, cued_at) + sorted(pairs)) if cued_at else spans
    if not spans:
        return spans
    organisations = [m.span() for m in cue.ORGANISATION.finditer(text)]
    things = [m.span() for m in cue.NOT_A_PERSON.finditer(text)  # not "Maggie's manager"
              if not cue.POSSESSIVE_PERSON.match(text, max(0, m.end() - 2))]
    return [(s, e) for s, e in spans if not any(s < b and a < e for a, b in organisations)
            and not any(a <= s and e <= b for a, b in things)]


def _rare_before_is(text: str) -> bool:
    """A quick check: a rare noun in lower case opening a sentence before "is", "was"."""
    return cue.LOWER_BEFORE_IS.search(text) is not None and any(
        word_facts(m.group(1))[8] for m in cue.OPENING_LOWER.finditer(text))


def _cued_capitals(text: str) -> bool:
    """True when a cue stands before two capitalised words ("looked after by Innes
    Crichton"): a name may be there though no word of it is strong."""
    return any(cue.CUE.search(text[max(0, m.start() - cue.CUE_WINDOW):m.start()]) is not None
               for m in cue.TWO_CAPITALISED.finditer(text))


def _find(text: str, words: list[Word | None], cued_at: frozenset[int]) -> list[Span]:
    spans: list[Span] = []
    run: list[Word] = []
    for word in [*words, None]:
        if word is not None and (not run or (len(run) < cue.MAX_RUN * 2
                                             and _joined(text, run[-1], word))):
            run.append(word)
            continue
        if run:
            spans += _names_in_run(text, run, cued_at)
        run = [word] if word is not None else []
    return spans


def _beside(text: str, spans: list[Span]) -> frozenset[int]:
    """Starts of the words that "and" or a comma joins to a name of two words or more found:
    the word after it, and the one or two words before it."""
    starts: set[int] = set()
    for start, end in spans:
        if not regex.search(r"\s", text[start:end]):
            starts |= _and_beside(text, start, end)
            continue  # one word alone is too weak a cue across a comma: "Africa, Rawanda"
        after = cue.COORDINATED_AFTER.match(text, end)
        if after:
            starts.add(after.end())
        before = cue.COORDINATED_BEFORE.search(text, 0, start)
        if before:  # not a role before a comma: "The physio, Anil Deshpande,"
            starts.update(before.start(g) for g in (1, 2, 3) if before.start(g) >= 0
                          and lex.key(before.group(g)) not in cue.ROLE_WORDS)
    return frozenset(starts - {s for s, _ in spans})


def _and_beside(text: str, start: int, end: int) -> set[int]:
    """Starts of the words "and" joins to one word found when it is a given name ("Mykola
    and Iryna", "Thiru and Vani"); a surname alone or an unknown word is too weak a cue."""
    facts = word_facts(text[start:end])
    if not facts[1] or facts[3]:
        return set()
    starts = set()
    after = cue.AND_AFTER.match(text, end)
    if after:
        starts.add(after.end())
    before = cue.AND_BEFORE.search(text, max(0, start - 40), start)
    if before:
        starts.add(before.start(1))
    return starts


def _pair_with_a_cue(text: str) -> frozenset[Span]:
    """Spans of two single words joined by "and", one a known name or an unknown non-English
    word and the other a name, a rare noun or an unknown word, with a person's verb or a
    team after them ("Bincy and Tintu covered", "waqas and hira on the late shift", "Lorelie
    and Arvin from the agency", "Chan and Liang in pathology")."""
    spans: set[Span] = set()
    if cue.AND_WORD.search(text) is None:
        return frozenset()  # a quick check: most answers join no two words so
    for match in cue.PAIR.finditer(text):
        if not (cue.POST_CUE.match(text, match.end()) or cue.TEAM_AFTER.match(text, match.end())
                or cue.TEAM_CUE.match(text, match.end()) or cue.WERE_AFTER.match(text, match.end())
                or cue.LIST_CUE.search(text, max(0, match.start() - cue.CUE_WINDOW),
                                       match.start())):
            continue
        members = [*match.spans(1), *match.spans(2), *match.spans(3)]
        while len(members) > 2 and not _pair_other(text[slice(*members[0])]):
            del members[0]  # "Overall, Llinos and Esyllt": not a list of names
        words = [text[slice(*m)] for m in members]
        if any(map(_pair_word, words)) and all(map(_pair_other, words)):
            spans.update(members)
    return frozenset(spans)


def _pair_word(word: str) -> bool:
    """A word of a coordinated pair: a known name that is not an English word, or an
    unknown non-English word."""
    _, given, surname, ordinary, particle, stop, foreign, function, _ = word_facts(word)
    return len(word) > 2 and not (particle or stop or function or ordinary) and \
        ((foreign and not lex.key(word).endswith(name_words.DRUG_ENDINGS))
         or ((given or surname) and not lex.english(word)))


def _pair_other(word: str) -> bool:
    """The other word of a pair one of whose words is a name (``_pair_word``): a known name,
    even an English word if capitalised ("Jerome and Ligaya", "Chan and Liang"; not "his age
    & palin would"), a rare noun ("Maha and Nour") or an unknown word, not a stop word, a
    particle nor a place."""
    shape, given, surname, ordinary, particle, stop, foreign, function, rare_noun = \
        word_facts(word)
    return len(word) > 2 and not (particle or stop or function or _place_word(word)) and (
        ((given or surname or foreign or rare_noun) and not (ordinary and shape != "cap"))
        or (shape == "cap" and len(word) > 3 and not ordinary))  # "Cressida and Peregrine"


def _names_in_run(text: str, run: list[Word], cued_at: frozenset[int]) -> list[Span]:
    """Names in a stretch of words with only spaces between them."""
    spans: list[Span] = []
    piece: list[Word] = []
    for at, word in enumerate([*run, None]):
        if word is not None and (word.shape == "cap" or (word.particle and piece and next(
                (w.shape == "cap" for w in run[at + 1:] if not w.particle), False))):
            piece.append(word)
            continue
        if piece:
            spans += _capitalised_name(text, piece, cued_at)
            piece = []
        if word is not None and word.shape in ("lower", "upper") and \
                (_candidate(word) or _particle_given(word)):
            spans += _plain_name(text, run, at, cued_at)
        elif word is not None and _opening_rare(text, word):
            spans.append((word.start, word.end))
    return _merge(spans)


def _capitalised_name(text: str, piece: list[Word], cued_at: frozenset[int]) -> list[Span]:
    """The name in a run of capitalised words, once everyday words at its ends are trimmed."""
    if not piece or any(w.stop for w in piece) or cue.ARTICLE.search(
            text, max(0, piece[0].start - 5), piece[0].start):
        return []
    keys = [lex.key(w.text) for w in piece]
    if len(piece) > 1 and keys[-1] in name_words.PLACE_SUFFIXES:
        return []  # "Clifton Lane", "Fletcher House"
    if any(pair in name_words.NOT_NAME_PAIRS for pair in itertools.pairwise(keys)):
        return []
    start, end = 0, len(piece)
    while start < end and (piece[start].particle or not piece[start].namelike):
        start += 1
    while end > start and (piece[end - 1].particle or not piece[end - 1].namelike):
        end -= 1
    if any(lex.key(w.text) == "the" for w in piece[:start]):
        return []  # "The Christie", "the Whittington": a place or an organisation
    if len(piece) > 1 and lex.key(piece[0].text) in name_words.THING_BEFORE:
        return []  # "Storm Arwen", "Operation Cavell": a storm, a project
    if 0 < end < len(piece) and piece[end - 1].given and piece[end - 1].strong and \
            not piece[end].ordinary:
        end += 1  # a capitalised word after a given name is its surname: "Ben Thornton"
    if 0 < start < end and (piece[start].surname or _unlisted(piece[start])) and \
            piece[start].strong and \
            _given_before(text, piece[start - 1], piece[start]):
        start -= 1  # a given name no list holds before a surname: "Berk Yüksel", "Mạc Đình"
    if 0 < end < len(piece) and all(w.rare_noun for w in piece[end:]) and \
            cue.TEAM_CUE.match(text, piece[-1].end):
        end = len(piece)  # a rare noun before a team is a surname: "Morag Sutherland in the"
    core = piece[start:end]
    if not core and len(piece) == 1 and _team_or_role(text, piece[0]):
        return [(piece[0].start, piece[0].end)]  # "Clovis is the best porter": a rare noun
    if not core and _cued_rare(text, piece):
        return [(piece[0].start, piece[-1].end)]  # "looked after by Innes Crichton"
    if not core or not any(w.strong for w in core) or len(core) > cue.MAX_RUN:
        return []
    if end == len(piece) and (cue.NAMED_THING.match(text, core[-1].end)
                              or cue.EPONYM_THING.match(text, core[-1].end)):
        return []  # "Heather ward", "Mary Seacole programme", "Ryle's tube", "Rinne and"
    if cue.DISEASE_AFTER.match(text, core[-1].end) or (
            lex.key(core[-1].text) in name_words.EPONYM_DISEASES
            and cue.EPONYM_POSSESSIVE.match(text, core[-1].end)
            and not cue.POSSESSIVE_PERSON.match(text, core[-1].end)):
        return []  # "Addison's disease", "Parkinson's": a disease named after a person
    if len(core) == 1:
        word = core[0]
        if end < len(piece):
            return []  # "Rose Garden", "Christie Hospital": part of a title-case name
        cued = _cued(text, word, cued_at)
        if not word.strong or (word.foreign and not word.known and not cued):
            return []
        opening = cue.SENTENCE_START.search(text, 0, word.start) is not None
        if not word.given and opening and not cued:
            return []  # "Walker aid needed", "Cant think": a surname alone opening a sentence
        if opening and not cued and _english_opening(text, word):
            return []  # "Frank conversations", "Amber alerts": an English word opening it
        if lex.key(word.text) in cue.MACHINES and not cued:
            return []  # "Lorenzo is down again": a clinical system
        if not cued and _beside_a_place(text, word):
            return []  # "Wigan and Leigh", "Mason's Yard"
        if not cued and _in_a_place(text, word):
            return []  # "in Preston", "Hamilton hospital", "Shirley in Solihull"
    return [(core[0].start, core[-1].end)]


def _cued_rare(text: str, piece: list[Word]) -> bool:
    """True when a cue stands before two or three capitalised words that are no everyday
    word, one of them a rare noun ("looked after by Innes Crichton")."""
    return 1 < len(piece) <= 3 and all(
        not (w.ordinary or w.stop or w.function or w.particle or _place_word(w.text))
        for w in piece) and any(w.rare_noun for w in piece) and \
        cue.CUE.search(text[max(0, piece[0].start - cue.CUE_WINDOW):piece[0].start]) is not None


def _english_opening(text: str, word: Word) -> bool:
    """True when ``word``, opening a sentence, is also an English word and an everyday
    lower-case word follows it that is neither a name nor a verb a person does ("Frank
    conversations", "Carol singing"; not "Heather said", "Ted kennedy")."""
    after = cue.NEXT_LOWER.match(text, word.end)
    if after is None or not lex.english(word.text) or cue.POST_CUE.match(text, word.end):
        return False
    _, given, surname, _, _, _, foreign, _, _ = word_facts(after.group(1))
    return not (given or surname or foreign)


def _given_before(text: str, word: Word, surname: Word) -> bool:
    """True when ``word``, trimmed from the start of a capitalised run, is a given name:
    English only as a rare noun, or a particle that is also a name, and not a word of an
    organisation or a place nor opening a sentence, unless a team follows ("Hyacinth
    Beresford in outpatients")."""
    return (word.rare_noun or (word.particle and word.known and not word.function)) and \
        not word.ordinary and not _place_word(word.text) and \
        (cue.SENTENCE_START.search(text, 0, word.start) is None
         or cue.TEAM_CUE.match(text, surname.end) is not None) and _joined(text, word, surname)


def _in_a_place(text: str, word: Word) -> bool:
    """True when ``word`` is a place that is also a name ("Preston", "Crosby") and a place's
    context stands around it: "in", "at", "near" before it, or "to", "from" before a place
    that is not a given name ("I live in Preston", "went to Livingston"), a place's noun
    after it ("Preston hospital", "Beverley's community hospital") or "in" and a place
    ("Shirley in Solihull"). A surname that is no given name is a place after "in", "at",
    "near" even when no list holds the place ("in Thornton", "near Barton"; not before a
    possessive: "in Bush's footsteps")."""
    if lex.key(word.text) not in name_places.PLACES:
        return word.surname and not word.given and not text.startswith(("'s", "’s"), word.end) \
            and cue.PLACE_CUE_BEFORE_GIVEN.search(text, max(0, word.start - 12), word.start) \
            is not None  # not "following in Bush's tracks"
    before = cue.PLACE_CUE_BEFORE_GIVEN if word.given else cue.PLACE_CUE_BEFORE
    if before.search(text, max(0, word.start - 12), word.start):
        return True
    after = cue.PLACE_CUE_AFTER.match(text, word.end)
    return after is not None and (after.group(1) is None or _place_word(after.group(1)))


def _place_word(word: str) -> bool:
    """A word of an organisation or a place ("Solihull", "Norfolk"), a drug ("Senna")."""
    k = lex.key(word)
    facts = word_facts(word)
    return facts[5] or (k in name_places.PLACES and not (facts[1] or facts[2]))


def _beside_a_place(text: str, word: Word) -> bool:
    """True when a word of an organisation or a place stands beside ``word`` across "and"
    or a comma, or a capitalised word follows its possessive."""
    before = cue.PLACE_BEFORE.search(text, 0, word.start)
    after = cue.PLACE_AFTER.match(text, word.end)
    return any(m is not None and _place_word(m.group(1)) for m in (before, after)) \
        or cue.POSSESSIVE_PLACE.match(text, word.end) is not None \
        or cue.PLACE_UPON.match(text, word.end) is not None \
        or cue.PLACE_UPON_BEFORE.search(text, max(0, word.start - 40), word.start) is not None


def _plain_name(text: str, run: list[Word], at: int, cued_at: frozenset[int]) -> list[Span]:
    """A name in lower case or capitals starting at ``run[at]``: two known names side by side
    (one not an everyday word), a known name (not an everyday word) before an unknown word
    or a given name before a rare noun ("folake adeniran", "fiona calder"), an unknown word
    (not a typing slip) before a known surname or a rare noun ("oksana shevchenko"), a given
    name and an unknown word
    across a joining word ("siobhan ni bhriain"), a given name that is also a particle before
    a known surname ("ben thornton"), or a name after a cue ("spoke to priya")."""
    first = run[at]
    particle_first = not _candidate(first)
    if particle_first and not _particle_given(first):
        return []
    following = [w for w in run[at + 1:at + 5] if w.shape == first.shape]
    nxt, joined = (following[0] if following else None), False
    if nxt is not None and len(following) > 1 and lex.key(nxt.text) in name_words.JOINERS:
        nxt, joined = following[1], True
    cued = _cued(text, first, cued_at)
    given_first = first.given and first.strong
    if particle_first:
        if nxt is not None and not joined and nxt.surname and nxt.strong and _candidate(nxt):
            return [(first.start, nxt.end)]
        return []
    unknown_first = _unlisted(first)
    if nxt is not None and (_candidate(nxt) or ((given_first or unknown_first) and nxt.rare_noun
                                                and not nxt.stop)) and \
            (lex.key(first.text), lex.key(nxt.text)) not in name_words.NOT_NAME_PAIRS:
        known_pair = first.known and nxt.known and (first.strong or nxt.strong)
        across = joined and given_first and nxt.namelike
        surname_after = (first.known and first.strong and _unlisted(nxt)) or \
            (given_first and (nxt.known or nxt.rare_noun or _unlisted(nxt))) or \
            (unknown_first and not joined and (nxt.rare_noun or (nxt.surname and nxt.strong)))
        slip_before_surname = first.foreign and not first.known and not joined and \
            3 < len(first.text) <= cue.MAX_SLIP_NAME and nxt.surname and nxt.strong \
            and _candidate(nxt)
        if known_pair or across or surname_after or slip_before_surname or \
                (cued and first.strong and nxt.namelike) or \
                (not joined and _weak_pair(text, first, nxt)):
            last = nxt
            before = run[at - 1] if at else None
            if before is not None and before.shape == first.shape and before.known and \
                    not before.function and _joined(text, before, first):
                first = before  # "le thu ha": a surname that is also a particle
            for word in following[following.index(nxt) + 1:following.index(nxt) + 3]:
                if not (_candidate(word) and word.known):
                    break
                last = word
            return [(first.start, last.end)]
    if (cued and first.strong) or _opening_unlisted(text, first):
        return [(first.start, first.end)]
    return []


def _opening_unlisted(text: str, word: Word) -> bool:
    """One unknown non-English word or known name (not an everyday word) in lower case or
    capitals, five letters or more, opening a sentence (after "honestly", "and", "but" maybe)
    before a verb a person does ("honestly gbemisola is the only reason", "BHARATHI IS",
    "honestly mervyn was"), not a drug's name."""
    return (_unlisted(word) or (word.known and word.strong)) and len(word.text) > 4 and \
        not _drug_like(word) and \
        cue.OPENING.search(text, 0, word.start) is not None and \
        cue.POST_CUE.match(text, word.end) is not None


def _opening_rare(text: str, word: Word) -> bool:
    """A rare noun in lower case, five letters or more, opening a sentence (after "honestly"
    maybe) before "is"/"was" and what is said of a person ("honestly jocasta was
    brilliant"), not a place nor a system."""
    return word.shape == "lower" and word.rare_noun and len(word.text) > 4 and \
        cue.OPENING.search(text, 0, word.start) is not None and \
        cue.PERSON_QUALITY.match(text, word.end) is not None and not _place_like(text, word)


def _weak_pair(text: str, first: Word, nxt: Word) -> bool:
    """Two words no list holds (or a known name and one), neither an English word nor a
    typing slip, with a weaker cue: a word that puts a person next ("by", "with", "ward
    clerk", "matron and") or a verb a person does after them ("tanvir hossain deserves",
    "NNENNA OKWUOSA IS"); in capitals, two words of five letters or more like slips before
    such a verb ("YONAS TEKLE SHOULD")."""
    if not all(w.strong and _candidate(w) and len(w.text) > 3 for w in (first, nxt)):
        return False
    if all(w.shape == "upper" and len(w.text) > 4 for w in (first, nxt)) and \
            cue.POST_CUE.match(text, nxt.end) is not None:
        return True  # two slips side by side are rare in capitals: "YONAS TEKLE SHOULD"
    if sum(not (w.known or _unlisted(w)) for w in (first, nxt)) > 1:
        return False  # one of the two may look like a slip ("GHADA SHALABY"), not both
    slip_limit = cue.MAX_SLIP_NAME + 2 * any(_unlisted(w) for w in (first, nxt))  # "dariush kazemi"
    if any(not (w.known or _unlisted(w)) and len(w.text) > slip_limit for w in (first, nxt)):
        return False
    before = text[max(0, first.start - cue.CUE_WINDOW):first.start]
    return cue.WEAK_CUE.search(before) is not None or any(
        after.match(text, nxt.end) is not None
        for after in (cue.POST_CUE, cue.WORKS_IN, cue.PRONOUN))


def _unlisted(word: Word) -> bool:
    """An unknown non-English word that is not a typing slip ("adeniran", not "backround")."""
    return word.foreign and not word.known and (
        word.text.lower() != lex.key(word.text) or not lex.misspelt(word.text))


def _candidate(word: Word) -> bool:
    return word.namelike and not (word.stop or word.particle or word.function)


def _particle_given(word: Word) -> bool:
    """A lower-case particle that is also a given name: "ben", "van"."""
    return word.particle and word.given and not (word.stop or word.function)


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
