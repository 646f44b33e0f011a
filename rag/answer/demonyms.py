"""Nationality words written before names: "Kenyan runner Peter Kiprop", "Ethiopian Tadesse Abebe".

One job: :func:`is_demonym` tells whether a capitalised English word is a nationality or regional
adjective. Such a word opens a name-like run of capitals in news ("Ethiopian Tadesse Abebe
finished second") or stands alone before a role noun ("Kenyan runner Peter Kiprop won…"), so the
short answer to "Who won…?" was «Kenyan» (newcomer check, session 5). A nationality that describes
the name after it (:func:`describes_next_name`) is no name; alone it may be the answer ("Some
Normans joined Turkish forces": "Turkish" is half the gold of "Who did the Normans team up
with?"), and a nationality opening a run stays too ("Polish United Workers' Party", "English
Heritage" are names: DEV XQuAD-en lost them when a leading nationality was dropped).

The list is ours: the adjectival forms of the UN member states' names and of the regions news
uses most, as English writes them (Wikipedia, "List of adjectival and demonymic forms for
countries and nations"), each one word; forms that are also common given names or place names
("Jordan" is the country, "Jordanian" the adjective) are the adjectives only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

_DEMONYMS_TEXT = """
Afghan Albanian Algerian American Andorran Angolan Argentine Argentinian Armenian Australian Austrian
Azerbaijani Bahamian Bahraini Bangladeshi Barbadian Belarusian Belgian Belizean Beninese Bhutanese
Bolivian Bosnian Botswanan Brazilian British Bruneian Bulgarian Burkinabe Burmese Burundian Cambodian
Cameroonian Canadian Chadian Chilean Chinese Colombian Comoran Congolese Croatian Cuban Cypriot Czech
Danish Djiboutian Dominican Dutch Ecuadorian Egyptian Emirati English Eritrean Estonian Ethiopian
Fijian Filipino Finnish French Gabonese Gambian Georgian German Ghanaian Greek Grenadian Guatemalan
Guinean Guyanese Haitian Honduran Hungarian Icelandic Indian Indonesian Iranian Iraqi Irish Israeli
Italian Ivorian Jamaican Japanese Jordanian Kazakh Kazakhstani Kenyan Kiribati Korean Kosovan Kosovar
Kuwaiti Kyrgyz Lao Laotian Latvian Lebanese Liberian Libyan Liechtensteiner Lithuanian Luxembourgish
Macedonian Malagasy Malawian Malaysian Maldivian Malian Maltese Mauritanian Mauritian Mexican
Moldovan Monegasque Mongolian Montenegrin Moroccan Mozambican Namibian Nepalese Nepali Nicaraguan
Nigerian Nigerien Norwegian Omani Pakistani Palauan Palestinian Panamanian Paraguayan Peruvian Polish
Portuguese Qatari Romanian Russian Rwandan Salvadoran Samoan Saudi Scottish Senegalese Serbian
Seychellois Singaporean Slovak Slovakian Slovenian Somali Sudanese Surinamese Swazi Swedish Swiss
Syrian Taiwanese Tajik Tanzanian Thai Togolese Tongan Trinidadian Tunisian Turkish Turkmen Tuvaluan
Ugandan Ukrainian Uruguayan Uzbek Venezuelan Vietnamese Welsh Yemeni Zambian Zimbabwean
African Arab Arabian Asian European Latin Scandinavian Nordic Balkan Caribbean Kurdish Berber
Basque Catalan Flemish Scots Bavarian Texan Californian
"""
DEMONYMS = frozenset(_DEMONYMS_TEXT.split())


def is_demonym(word: str) -> bool:
    """True for a capitalised nationality or regional adjective ("Kenyan", "Ethiopian"); a trailing
    full stop or possessive is ignored ("French.", "Kenyan's" are not written before names)."""
    return word.rstrip(".,;:") in DEMONYMS


class _Span(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


_DESCRIBED_GAP = re.compile(r"^\s+(?:[a-z][\w-]*\s+){1,2}$|^\s+$")
"""A nationality and the name it describes: one or two lower-case words between ("Kenyan runner
Peter Kiprop", "Kenyan long-distance runner …") or none ("Kenyan Peter Kiprop", which the name
finder reads as one run)."""


def describes_next_name(sentence: str, c: _Span, names: Sequence[_Span]) -> bool:
    """True when the name candidate ``c`` is only nationality words and another name of ``names``
    follows it after at most two lower-case words: it says who the person is, not their name."""
    if not c.text.split() or not all(is_demonym(w) for w in c.text.split()):
        return False
    return any(n.start > c.end and _DESCRIBED_GAP.match(sentence[c.end : n.start]) for n in names)
