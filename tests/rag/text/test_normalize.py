"""rag.text.normalize: Arabic normalisation and tokenisation for BM25."""

from __future__ import annotations

from rag.text.normalize import STOPWORDS, is_arabic_script, normalize_arabic, stemming_variant, tokenize


def test_normalize_strips_tashkeel_and_tatweel() -> None:
    assert normalize_arabic("مَدْرَسَةٌ") == "مدرسه"
    assert normalize_arabic("كتـــاب") == "كتاب"
    assert normalize_arabic("رحمٰن") == "رحمن"  # superscript alef U+0670


def test_normalize_folds_letter_variants() -> None:
    assert normalize_arabic("أإآٱ") == "اااا"
    assert normalize_arabic("مستشفى") == "مستشفي"
    assert normalize_arabic("مدرسة") == "مدرسه"
    assert normalize_arabic("مؤتمر") == "موتمر"
    assert normalize_arabic("رئيس") == "رييس"


def test_normalize_leaves_other_scripts_alone() -> None:
    assert normalize_arabic("Café 2024") == "Café 2024"


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
    assert tokenize("élections présidentielles", "fr") == ["élect", "présidentiel"]
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
