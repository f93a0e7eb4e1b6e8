"""The patterns the untitled-name finder (``untitled_names``) reads around a word: cues
before and after it, places, teams, roles, possessives, eponyms, sentence openings.

Compiled once from our word lists (``name_words``, ``name_places``); kept apart from the
rules so each rule reads as what it checks, not how the text is matched.
"""

from __future__ import annotations

import re

import regex

from pipeline.text import name_places, name_words

SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“(])[ \t]*$")
CUE = regex.compile(r"(?:^|[^\p{L}])(?:" + "|".join(
    regex.escape(c) for c in sorted(name_words.CUES, key=len, reverse=True)) + r")[ \t,:]*$",
    regex.IGNORECASE)
CUE_WINDOW = 24
PERSON_AFTER = regex.compile(r"[ \t]*,?[ \t]+(?:" + "|".join(name_words.PERSON_VERBS)
                             + r")(?!\p{L})", regex.IGNORECASE)
# An unlisted given name one edit from a common word ("carys", "rasha") is a name before a
# known surname when short; longer ones are slips ("affraid obama", "aqnother bush").
MAX_SLIP_NAME = 5
WEAK_CUE = regex.compile(r"(?:^|[^\p{L}])(?:" + "|".join(name_words.WEAK_CUES) + r")[ \t,:]*$",
                         regex.IGNORECASE)
POST_CUE = regex.compile(r"(?:['’]s(?!\p{L})|[ \t]*,?[ \t]+(?:" + "|".join(name_words.POST_CUES)
                         + r")(?!\p{L}))", regex.IGNORECASE)
ARTICLE = regex.compile(r"(?i)(?:^|[^\p{L}])the[ \t]+$")
DETERMINER = regex.compile(r"(?i)(?:^|[^\p{L}])(?:a|an|the|this|that|any|each|every)[ \t]+$")
MAX_RUN = 5
COORDINATED_AFTER = regex.compile(r"(?:[ \t]*,)?[ \t]+(?:and|&)[ \t]+|[ \t]*,[ \t]*")
COORDINATED_BEFORE = regex.compile(
    r"(?:(\p{L}+)[ \t]+)?(\p{L}+)(?:[ \t]*,)?[ \t]+(?:and|&)[ \t]+$|(\p{L}+)[ \t]*,[ \t]*$")
PLACE_BEFORE = regex.compile(r"(\p{Lu}\p{L}+)[ \t]*(?:,|and|&)[ \t]*$")
PLACE_AFTER = regex.compile(r"[ \t]*(?:,|and|&)[ \t]*(\p{Lu}\p{L}+)")
POSSESSIVE_PLACE = regex.compile(r"['’]s[ \t]+\p{Lu}")
PLACE_UPON = regex.compile(r"[ \t]+(?:upon|under|super)[ \t]+\p{Lu}")  # "Kingston upon Thames"
PLACE_UPON_BEFORE = regex.compile(r"\p{Lu}\p{L}*[ \t]+(?:upon|under|super)[ \t]+$")
AND_AFTER = regex.compile(r"[ \t]+(?:and|&)[ \t]+(?=\p{L})")
AND_BEFORE = regex.compile(r"(\p{L}+)[ \t]+(?:and|&)[ \t]+$")
_MEMBER = r"(\p{Lu}\p{Ll}+(?:-\p{Lu}\p{Ll}+)?|\p{Ll}+|\p{Lu}+)"  # "Cumberbatch-Yearwood"
PAIR = regex.compile(  # "Bincy and Tintu", "Llinos, Esyllt and Cledwyn"
    r"(?<![\p{L}'’-])" + _MEMBER + r"(?:[ \t]*,[ \t]*" + _MEMBER + r"){0,3}(?:[ \t]*,)?[ \t]+"
    r"(?:and|&|AND)[ \t]+" + _MEMBER + r"(?![\p{L}'’-])")
TEAM_AFTER = regex.compile(r"[ \t]+(?:(?:in|at)[ \t]+(?:the|our|my)|from|on)[ \t]+\p{L}",
                           regex.IGNORECASE)  # "from the agency", "on nights", "IN THE"
WORKS_IN = regex.compile(r"[ \t]+(?:from|on|in|at)[ \t]+\p{L}", regex.IGNORECASE)  # "in pharmacy"
POSSESSIVE_PERSON = regex.compile(r"['’]s[ \t]+(?:" + "|".join(name_words.PERSON_OWNS)
                                  + r")(?!\p{L})", regex.IGNORECASE)  # "Nakato's manager"
POSSESSIVE_WORK = regex.compile(r"['’]s[ \t]+(?:" + "|".join(sorted(
    name_words.PERSON_WORK, key=len, reverse=True)) + r")(?!\p{L})",
                                regex.IGNORECASE)  # "Asantewaa's notes", "X'S CLINIC"
PRONOUN = regex.compile(r"[ \t]*,[ \t]*(?:he|she)(?!\p{L})", regex.IGNORECASE)  # "X Y, he"
TEAM_CUE = regex.compile(  # "Osei in pathology", "Nuttall on the bank office"
    r"[ \t]+(?i:in|on|from|at)[ \t]+(?:(?i:the|our|my)[ \t]+(?:[\p{L}&-]+[ \t]+){0,2}?"
    r"|(?:[\p{Ll}&-]+[ \t]+){0,2}?|(?:[\p{Lu}&-]+[ \t]+){0,2}?)(?i:"  # not "in Ashfield"
    + "|".join(regex.escape(t) for t in sorted(name_words.TEAMS, key=len, reverse=True))
    + r")(?![\p{L}&])")
PERSON_PREDICATE = regex.compile(  # "Tsang is a fantastic charge nurse"
    r"[ \t]+(?:is|was|has[ \t]+been)[ \t]+(?:\p{L}+[ \t]+){0,4}?(?:"
    + "|".join(sorted(name_words.PERSON_NOUNS)) + r")(?!\p{L})", regex.IGNORECASE)
PRODUCT_SHAPE = regex.compile(  # "SystmOne", "BadgerNet"; not "McGrath", "DeSouza"
    r"^(?!(?:Mc|Mac|O['’]|D['’]|De|Di|Da|Du|La|Le|Van|Von|Fitz)\p{Lu})\p{L}*\p{Ll}\p{Lu}")
NEAR_PREDICATE = regex.compile(  # "Sidebottom is the only manager": two words at most
    PERSON_PREDICATE.pattern.replace("{0,4}?", "{0,2}?"), regex.IGNORECASE)
CAPITALISED_PERSON = regex.compile(  # "Clovis is the best porter"
    r"\p{Lu}\p{Ll}+(?i:" + PERSON_PREDICATE.pattern + ")")
TWO_CAPITALISED = regex.compile(r"\p{Lu}\p{Ll}+[ \t]+\p{Lu}\p{Ll}+")  # "Innes Crichton"
ROLE_APPOSITION = regex.compile(  # "The porter, Wojtek, was a star"
    r"(?:^|[^\p{L}])(?:" + "|".join(c for c in name_words.WEAK_CUES if len(c) > 4 or c in (
        "hca", "rep", "lead", "head", "boss")) + r")[ \t]*,[ \t]*$",
    regex.IGNORECASE)
ROLE_AFTER = regex.compile(  # "Oyelaran (the HCA)", "Wambui, our physio"
    r"[ \t]*(?:\(|,)[ \t]*(?:(?:the|our|my|a)[ \t]+)?(?:\p{L}+[ \t]+)?(?:"
    + "|".join(c for c in name_words.WEAK_CUES if len(c) > 4 or c in (
        "hca", "rep", "lead", "head", "boss")) + r")(?:[ \t]*\)|[ \t]*,)", regex.IGNORECASE)
AND_WORD = re.compile(r"[ \t](?:and|&|AND)[ \t]")
LIST_CUE = regex.compile(  # "Thanks to A and B"; not "countries like China, India and"
    r"(?:^|[^\p{L}])(?:thanks|thank[ \t]+you|thank|kudos|shout[ \t-]?out|well[ \t]+done|"
    r"grateful|praise|mention|by|colleagues?)(?:[ \t]+(?:to|for))?[ \t,:]*$", regex.IGNORECASE)
WERE_AFTER = regex.compile(r"[ \t]+were(?!\p{L})", regex.IGNORECASE)  # "X and Y were kind"
OPENING = regex.compile(r"(?:^|[.!?:;\n\"“(])[ \t]*(?:(?:" + "|".join(name_words.OPENERS)
                        + r")[ \t,]+)?$", regex.IGNORECASE)  # "honestly gbemisola is"
DISEASE_AFTER = regex.compile(r"['’]s[ \t]+(?:" + "|".join(sorted(name_words.DISEASE_WORDS))
                              + r")(?!\p{L})", regex.IGNORECASE)  # "Addison's disease"
EPONYM_POSSESSIVE = regex.compile(r"['’]s(?!\p{L})")
ORGANISATION = regex.compile(r"(?<!\p{L})(?:" + "|".join(
    r"[ \t]+".join(regex.escape(w) for w in o.split()) for o in name_words.NAMED_ORGANISATIONS)
    + r")(?!\p{L})", regex.IGNORECASE)  # "Sue Ryder", "Marks and Spencer"
ROLE_WORDS = frozenset(name_words.WEAK_CUES) | name_words.TEAMS | name_words.PERSON_NOUNS


def _phrase(words: str) -> str:
    """A pattern of a phrase of our lists: any spaces between words, either apostrophe."""
    return r"[ \t]+".join("['’]".join(regex.escape(p) for p in w.split("'"))
                          for w in words.split())


NOT_A_PERSON = regex.compile(r"(?<![\p{L}'’])(?:" + "|".join(_phrase(p) for p in sorted(
    name_places.PLACE_PHRASES + name_places.NAMED_AFTER_PEOPLE, key=len, reverse=True))
    + r")(?![\p{L}'’])", regex.IGNORECASE)  # "Fort William", "Maggie's", "Robert Dyas"
PLACE_CUE_BEFORE = regex.compile(  # "in Preston", "moved to Hamilton", "near Crosby"
    r"(?:^|[^\p{L}])(?:in|at|near|from|to|into|around|outside|towards|via)[ \t]+$",
    regex.IGNORECASE)
PLACE_CUE_BEFORE_GIVEN = regex.compile(  # not "a call from Shirley", "handed over to Leigh"
    r"(?:^|[^\p{L}])(?:in|at|near|around|outside)[ \t]+$", regex.IGNORECASE)
PLACE_CUE_AFTER = regex.compile(  # "Preston hospital", "Beverley's community hospital"
    r"(?:['’]s)?[ \t]+(?:" + "|".join(sorted(name_words.PLACE_NOUNS)) + r")(?!\p{L})"
    r"|[ \t]+(?:in|near)[ \t]+(\p{Lu}\p{L}+)", regex.IGNORECASE)  # "Shirley in Solihull"
PERSON_QUALITY = regex.compile(  # "Ogilvie was brilliant", "Mehrdad is why I stayed"
    r"[ \t]+(?:is|was|has[ \t]+been)[ \t]+(?:(?:" + "|".join(name_words.INTENSIFIERS)
    + r")[ \t]+){0,3}(?:(" + "|".join(sorted(name_words.PERSON_ONLY_QUALITIES)) + r")|"
    + "|".join(sorted(name_words.PERSON_QUALITIES)) + r")(?!\p{L})",
    regex.IGNORECASE)
LOWER_BEFORE_IS = re.compile(r"\b[a-z]{5,}[ \t]+(?:is|was|has)\b")  # quicker, first
OPENING_LOWER = regex.compile(  # a quick check for "honestly jocasta was brilliant"
    r"(?:^|[.!?:;\n\"“(])[ \t]*(?:(?i:" + "|".join(name_words.OPENERS)
    + r")[ \t,]+)?(\p{Ll}{5,})[ \t]+(?i:is|was|has)(?!\p{L})")
NEXT_LOWER = regex.compile(r"[ \t]+(\p{Ll}+)(?![\p{L}'’])")
NAMED_THING = regex.compile(r"[ \t]+(?:" + "|".join(sorted(
    name_words.NAMED_THING_AFTER | name_places.EPONYM_AFTER))
                            + r")(?!\p{L})(?![ \t]+(?:" + "|".join(
                                sorted(name_words.ROLE_AFTER_THING)) + r")(?!\p{L}))")


EPONYM_THING = regex.compile(  # "Ryle's tube", "Rinne and Weber tests"
    r"(?:['’]s[ \t]+|[ \t]+(?:and|&)[ \t]+\p{Lu}[\p{L}-]*(?:['’]s)?[ \t]+)(?:"
    + "|".join(sorted(name_places.EPONYM_AFTER - name_words.PERSON_MAY_OWN)) + r")(?!\p{L})")
WITH_A_PERSON = regex.compile(  # "was brilliant with my son": said of a person
    r"[ \t]+with[ \t]+(?:my|our|his|her|their|all|every|each)(?!\p{L})", regex.IGNORECASE)
MACHINES = name_words.SYSTEMS | name_places.VOICE_ASSISTANTS  # "Lorenzo", "Alexa"
SENTENCE = regex.compile(r"[^.!?\n]+")
CAPITALS = regex.compile(r"\p{Lu}{2}")
LOWER_LETTER = regex.compile(r"\p{Ll}")
