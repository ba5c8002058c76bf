"""French wording shared by the documents and the open data: elision, acts named in a sentence."""

from __future__ import annotations

# « de » elides before a vowel or a mute h (taken as mute: no member commune has an aspirated h).
ELIDING = frozenset("aeiouhàâäéèêëîïôöùûüœæ")


def de(name: str, apostrophe: str = "'") -> str:
    """Return « de Lognes », « d’Émerainville »: the preposition elided before a vowel (with
    the straight apostrophe files published before wording 3 carry, unless told otherwise)."""
    return f"d{apostrophe}{name}" if name[:1].lower() in ELIDING else f"de {name}"


def act(reference: str) -> str:
    """Return an adopting act as a sentence names it: « la délibération du 31 mars 2022 ».

    The règlement's `adopted_by` may start with « Délibération … » or be a bare number.
    """
    text = reference.strip()
    if text.lower().startswith("délibération"):
        return "la d" + text[1:]
    return f"la délibération {text}"
