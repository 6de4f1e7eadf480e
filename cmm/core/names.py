"""Comparing names across spellings: case, accents, Danish letters and transliterations.

"Søren Ålund", "SOREN AALUND" and "Soeren Alund" must all find each other.
"""

import unicodedata

# Danish letters and their usual transliterations reduce to one plain form.
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "ae", "ö": "o", "ü": "u", "ß": "ss"})
_DIGRAPHS = (("aa", "a"), ("oe", "o"), ("ue", "u"))


def fold(text: str) -> str:
    """One comparable form of a name: lower case, no accents, Danish letters folded."""
    text = text.casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "".join(c if c.isalnum() else " " for c in text)
    words = []
    for word in text.split():
        for digraph, plain in _DIGRAPHS:
            word = word.replace(digraph, plain)
        words.append(word)
    return " ".join(words)


def name_key(*names: str) -> str:
    """Space-separated folded tokens of all names, each once, for a contains-search."""
    tokens: list[str] = []
    for name in names:
        for token in fold(name or "").split():
            if token not in tokens:
                tokens.append(token)
    return f" {' '.join(tokens)} " if tokens else ""
