"""Texts as search terms: casefolded words without punctuation, stop words left out, each cut
to a light stem, so that "refunds", "refunded" and "refund" (or "повернення", "повернути")
meet. Rough on purpose: no dictionary, the same rules for the index and the question."""

from __future__ import annotations

import re

LANGUAGES = ("en", "ru", "uk")
WORD = re.compile(r"[^\W_]+", re.UNICODE)
CYRILLIC = re.compile(r"[а-яёіїєґ]")
UKRAINIAN_ONLY = re.compile(r"[іїєґ]")
RUSSIAN_ONLY = re.compile(r"[ыэъё]")
APOSTROPHES = str.maketrans("", "", "'’ʼ`")
STEM = 5  # letters kept of a stem: enough to tell words apart, short enough to meet forms


def _words(text: str) -> list[str]:
    return text.split()


STOP = {
    "en": frozenset(
        _words(
            "a am an and are as at be been but by can could did do does for from had has "
            "have hello here hi how i if in is it its just may me might my no not of on "
            "or our please shall should so thank thanks that the there this to was we "
            "were what when where which who why will with would yes you your"
        )
    ),
    "ru": frozenset(
        _words(
            "а бы был была было быть в вас ваш ваша во вы где день до добрый его есть "
            "ещё её же за здравствуйте и из их к как какая какие какой ко когда ли меня "
            "мне могу можно мои мой моя мы на нас наш не ни но о об он она они от по "
            "пожалуйста почему привет с со спасибо так то у уже что чтобы это я"
        )
    ),
    "uk": frozenset(
        _words(
            "а але б був будь була було бути в вас ваш ваша вже ви вона вони від він "
            "вітаю де день до добрий дякую ж з за зі й його коли ласка мене мені ми "
            "можна можу моя мої мій на нас наш не ні по привіт про та так у це чи чому "
            "ще що щоб я як яка який які є і із їх її"
        )
    ),
}
# Endings cut before the stem is shortened, longest first; a stem keeps three letters.
ENDINGS = {
    "en": tuple(
        sorted(
            _words("ations ation ments ment ings edly ing ies ed es ly s"),
            key=len,
            reverse=True,
        )
    ),
    "ru": tuple(
        sorted(
            _words(
                "ться ение ения ении ений ами ями ого его ому ему ыми ими ией тся ешь ете "
                "ить ать ять ов ев ей ам ям ах ях ом ем ой ый ий ая яя ое ее ые ие ую юю а я "
                "о е ы и у ю ь"
            ),
            key=len,
            reverse=True,
        )
    ),
    "uk": tuple(
        sorted(
            _words(
                "ться ення енню ами ями ого ому ими ися ете ити ати яти ень еш ів їв ам ям "
                "ах ях ом ем ою ею ий ій ая яя ее ні а я о е и і у ю ь"
            ),
            key=len,
            reverse=True,
        )
    ),
}


def language_of(text: str, fallback: str) -> str:
    """The language a text is written in, by its letters; `fallback` (the customer's
    language) where the letters do not tell (Cyrillic without ы/є-like letters)."""
    lowered = text.casefold()
    if not CYRILLIC.search(lowered):
        return "en" if re.search(r"[a-z]", lowered) else fallback
    if UKRAINIAN_ONLY.search(lowered):
        return "uk"
    if RUSSIAN_ONLY.search(lowered):
        return "ru"
    return fallback if fallback in ("ru", "uk") else "ru"


def stem(word: str, language: str) -> str:
    for ending in ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    return word[:STEM]


def terms(text: str, language: str) -> list[str]:
    """The search terms of `text`, in order, repeats kept (BM25 counts them)."""
    stop = STOP.get(language, frozenset())
    found = []
    for word in WORD.findall(text.casefold().replace("ё", "е").translate(APOSTROPHES)):
        if word in stop or (len(word) < 2 and not word.isdigit()):
            continue
        found.append(stem(word, language))
    return found
