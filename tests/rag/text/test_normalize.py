"""rag.text.normalize: the one normaliser (fold, embedding_text) and tokenisation for BM25."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.normalize import (
    STOPWORDS,
    embedding_text,
    fold,
    is_arabic_script,
    stemming_variant,
    tokenize,
)
from rag.text.sentences import content_keys, normalize


def test_fold_strips_tashkeel_and_tatweel() -> None:
    assert fold("مَدْرَسَةٌ") == "مدرسه"
    assert fold("كتـــاب") == "كتاب"
    assert fold("رحمٰن") == "رحمن"  # superscript alef U+0670
    assert fold("ذَٰلِكَ۝") == "ذلك"  # Quranic end-of-ayah mark U+06DD


def test_fold_folds_letter_variants() -> None:
    assert fold("أإآٱ") == "اااا"
    assert fold("مستشفى") == "مستشفي"
    assert fold("مدرسة") == "مدرسه"
    assert fold("مؤتمر") == "موتمر"
    assert fold("رئيس") == "رييس"


def test_fold_digits_case_accents_and_controls() -> None:
    assert fold("Café 2024") == "cafe 2024"
    assert fold("٢٠٢٤ ۱۲ ÉLAN") == "2024 12 elan"
    assert fold("ab\u200bc\u200f") == "abc"
    assert fold("\ufefb") == "لا"  # presentation form (lam-alef ligature)
    # Decomposed hamza (alef + U+0654) composes under NFKC, then folds like the precomposed letter.
    assert fold("\u0627\u0654حمد") == fold("أحمد") == "احمد"


def test_embedding_text_is_display_invariant_only() -> None:
    assert embedding_text("مَدْرَسَةٌ") == "مدرسة"  # marks go, ة stays
    assert embedding_text("أحمد إلى مستشفى") == "أحمد إلى مستشفى"  # letters are not folded
    assert embedding_text("كتـــاب\u200c") == "كتاب"
    assert embedding_text("\ufefb") == "لا"
    plain = "قال الرئيس إن المدرسة ستفتح أبوابها في 2024. Café!"
    assert embedding_text(plain) == plain  # identity on ordinary text: cached vectors stay valid


def test_sentence_keys_use_the_same_fold() -> None:
    assert normalize("الْمَدْرَسَةُ") == fold("المدرسة")
    assert content_keys("جوائزُ مسابقةِ القراءةِ") == content_keys("جوائز مسابقة القراءة")


def test_definite_article_and_bare_form_stem_alike() -> None:
    assert tokenize("الكتاب") == tokenize("كتاب") == ["كتاب"]


def test_hamza_and_taa_marbuta_variants_match() -> None:
    assert tokenize("أحمد") == tokenize("احمد")
    assert tokenize("إسرائيل") == tokenize("اسرائيل")
    assert tokenize("أوكرانيا") == tokenize("اوكرانيا")
    assert tokenize("المدرسة") == tokenize("المدرسه") == tokenize("مدرسة")
    assert tokenize("الحكومة") == tokenize("الحكومه") == tokenize("حكومه")
    assert tokenize("مستشفى") == tokenize("المستشفي")


def test_diacritics_and_tatweel_do_not_change_tokens() -> None:
    assert tokenize("الْكِتَابُ") == tokenize("الكتاب")
    assert tokenize("كتـــاب") == tokenize("كتاب")


def test_arabic_presentation_forms_are_folded() -> None:
    # U+FEFB is the lam-alef ligature; NFKC turns it into لا.
    assert tokenize("\ufefb بأس") == tokenize("لا بأس")


def test_arabic_stopwords_are_dropped_after_normalisation() -> None:
    assert tokenize("في من على إلى الى عن هذا هذه التي الذي و") == []
    assert "الي" in STOPWORDS  # إلى after folding


def test_english_is_casefolded_stemmed_and_stopworded() -> None:
    assert tokenize("The Elections were RUNNING") == ["elect", "run"]


def test_mixed_script_text_uses_a_stemmer_per_token() -> None:
    tokens = tokenize("قال الرئيس Putin elections", language="ar")
    assert "putin" in tokens and "elect" in tokens
    assert tokenize("الرئيس") == ["رييس"]
    assert set(tokenize("الرئيس")) <= set(tokens)


def test_language_picks_the_latin_stemmer() -> None:
    assert tokenize("élections présidentielles", "fr") == ["elect", "presidentiel"]
    assert tokenize("élections présidentielles", "fr-CA") == tokenize("élections présidentielles", "fr")
    assert tokenize("elections", "xx") == tokenize("elections")  # unsupported → English
    # Arabic-script tokens use the Arabic stemmer whatever the tag.
    assert tokenize("الكتاب", "en") == ["كتاب"]


def test_digits_are_kept_and_arabic_indic_digits_folded() -> None:
    assert tokenize("٢٠٢٤ 2024 ۱۲") == ["2024", "2024", "12"]


def test_punctuation_splits_tokens() -> None:
    assert tokenize("putin,korea؟ukraine!") == ["putin", "korea", "ukrain"]
    assert tokenize("") == []
    assert tokenize("!!! ،،، ...") == []


def test_helpers() -> None:
    assert is_arabic_script("كتاب") and not is_arabic_script("book") and not is_arabic_script("")
    assert stemming_variant("fr-FR") == "fr"
    assert stemming_variant("fa") == "fa"
    assert (
        stemming_variant("en") is None and stemming_variant("ar") is None and stemming_variant(None) is None
    )


# --- properties: a text and its vocalised / tatweel / presentation-form variants are one text ---

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ةىأإآؤئ"
_HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
_words = st.lists(st.text(alphabet=_LETTERS, min_size=2, max_size=8), min_size=1, max_size=6)


def _vocalise(word: str, marks: list[str]) -> str:
    return "".join(ch + marks[i % len(marks)] for i, ch in enumerate(word))


def _presentation(text: str) -> str:
    # Isolated presentation forms (U+FE8D alef … U+FEEF alef maksura) NFKC-fold back to the letter.
    forms = {"ا": "\ufe8d", "ب": "\ufe8f", "ت": "\ufe95", "م": "\ufee1", "ن": "\ufee5", "ي": "\ufef1"}
    for letter, form in forms.items():
        text = text.replace(letter, form)
    return text


@settings(max_examples=150, deadline=None)
@given(_words, st.lists(st.sampled_from(_HARAKAT), min_size=1, max_size=4), st.integers(1, 4))
def test_variants_get_the_same_tokens_and_embedding_input(
    words: list[str], marks: list[str], stretch: int
) -> None:
    plain = " ".join(words)
    vocalised = " ".join(_vocalise(w, marks) for w in words)
    stretched = " ".join(w[0] + "\u0640" * stretch + w[1:] for w in words)
    presented = _presentation(plain)
    for variant in (vocalised, stretched, presented, "\u200f" + plain + "\u200e"):
        assert tokenize(variant) == tokenize(plain)
        assert fold(variant) == fold(plain)
        assert embedding_text(variant) == embedding_text(plain)
        assert content_keys(variant) == content_keys(plain)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert embedding_text(embedding_text(text)) == embedding_text(text)
