"""Finding direct quotes: marks, paragraphs, apostrophes, broken input."""

from __future__ import annotations

import pytest

from desktop.analysis.quotes import find_quotes
from desktop.importers.article_text import clean_article

from conftest import SEEDS


def contents(text):
    return [q.text for q in find_quotes(text)]


def test_curly_quote_content_excludes_the_marks():
    text = "“We will act,” he said."
    [quote] = find_quotes(text)
    assert (quote.start, quote.end) == (1, 13)
    assert text[quote.start:quote.end] == quote.text == "We will act,"
    assert quote.kind == "direct"


def test_straight_quotes():
    assert contents('He said "this is fine." Then left.') == ["this is fine."]


def test_apostrophes_never_open_or_close_a_quote():
    text = "Cambodia’s police don’t remember the ’90s. “It’s ours,” she said."
    assert contents(text) == ["It’s ours,"]


def test_nested_single_quotes_stay_inside():
    text = "“This is part of the ‘safe village’ policy,” he added."
    assert contents(text) == ["This is part of the ‘safe village’ policy,"]


def test_quote_running_over_paragraphs_is_one_quote():
    text = ("“First paragraph of the quote.\n\n"
            "“Second paragraph, still quoted,” she said.\n\nNot quoted.")
    [quote] = find_quotes(text)
    assert quote.text.startswith("First paragraph") and quote.text.endswith("still quoted,")
    assert quote.kind == "direct"


def test_paragraph_broken_mid_sentence_is_bridged():
    text = "“They will be established in\n\nother countries soon,” it added."
    [quote] = find_quotes(text)
    assert quote.text.endswith("soon,")


def test_unclosed_mark_ends_at_its_paragraph():
    text = "“An unclosed quote here.\n\nThe rest of the article is not a quote."
    assert contents(text) == ["An unclosed quote here."]


@pytest.mark.parametrize("text", ["”", "“", '"', "“”", "a ” b “", '" "', "“\n\n“\n\n”",
                                  "‘’‘", "“x" * 1000])
def test_odd_marks_never_crash_and_stay_inside(text):
    for quote in find_quotes(text):
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start:quote.end] == quote.text


def test_words_quoted_inside_a_sentence_are_fragments_not_speech():
    text = "He praised the “close relationship” and the so-called “experts” there."
    kinds = [(q.text, q.kind) for q in find_quotes(text)]
    assert kinds == [("close relationship", "fragment"), ("experts", "fragment")]


def test_a_short_quote_opened_mid_sentence_is_a_fragment_even_with_a_full_stop():
    assert [q.kind for q in find_quotes("A witness described it as “chaos.”")] == ["fragment"]
    assert [q.kind for q in find_quotes("“No.” He left.")] == ["direct"]


def test_quoted_titles():
    [quote] = find_quotes("The documentary “Scam State” premiered on Saturday.")
    assert quote.kind == "title"


def test_seed_001_quote_spanning_two_paragraphs():
    text = clean_article(next(SEEDS.glob("001_*.txt")).read_text("utf-8")).text
    quotes = find_quotes(text)
    spanning = [q for q in quotes if q.text.startswith("Cybersecurity is a significant")]
    assert len(spanning) == 1
    assert spanning[0].text.endswith("responding to cyber incidents,")
    assert len(quotes) == 3


def test_seed_000_quotes():
    text = clean_article(next(SEEDS.glob("000_*.txt")).read_text("utf-8")).text
    quotes = find_quotes(text)
    assert [q.kind for q in quotes].count("direct") == 10
    assert any(q.text.startswith("Cybersecurity is a serious threat") for q in quotes)


def test_british_single_quotes_are_primary_when_they_dominate():
    text = ("‘We did not expect this,’ the minister said. ‘The officers’ work was "
            "excellent and we don’t “celebrate” early.’\n\nShe called it ‘a start’ too.")
    quotes = [(q.text, q.kind) for q in find_quotes(text)]
    assert quotes == [("We did not expect this,", "direct"),
                      ("The officers’ work was excellent and we don’t “celebrate” early.",
                       "direct"),
                      ("a start", "fragment")]


def test_a_few_single_quotes_in_double_quoted_text_stay_nested():
    text = "“He said ‘never’ twice,” she said. ‘Odd’, one added."
    assert [q.text for q in find_quotes(text)] == ["He said ‘never’ twice,"]


# -- issue 15: detection on real copy ----------------------------------------------------

def test_single_straight_marks_in_us_copy_are_quotes_apostrophes_are_not():
    text = ("'This is not the end of the investigation, it is the beginning,' said Maria "
            "Delgado. It's the officers' work since the '90s, declared as 'ceramic goods'.")
    assert [q.text for q in find_quotes(text)] == [
        "This is not the end of the investigation, it is the beginning,"]


def test_a_paragraph_opening_with_a_wrong_way_mark_in_british_copy():
    text = ("Police said ‘nothing’ had changed.\n\n’We were never paid,’ she said.\n\n"
            "‘It is over,’ he said.")
    assert [q.text for q in find_quotes(text)] == ["nothing", "We were never paid,",
                                                   "It is over,"]


def test_an_unclosed_single_quoted_subhead_does_not_swallow_the_next_quote():
    text = "‘Nobody listened\n\n‘We asked for help for months,’ said Dara.\n\n‘Later,’ she said."
    assert [q.text for q in find_quotes(text)][-2:] == ["We asked for help for months,",
                                                        "Later,"]
    assert find_quotes(text)[0].text == "Nobody listened"


def test_a_spaced_straight_closing_mark_closes_the_quote():
    text = '"Watch a fully formed fetus on the table, " said Carly Fiorina during the debate.'
    [quote] = find_quotes(text)
    assert quote.text == "Watch a fully formed fetus on the table,"


# Words that are nobody's speech (issue 15, PolNeAR precision): names of
# works, words mentioned as words, labels. Each rule has a case it must catch
# and one it must leave alone.

def kinds_of(text):
    return [(q.text, q.kind) for q in find_quotes(text)]


def test_a_quote_after_a_noun_naming_a_work_is_its_title():
    assert kinds_of("Fans pass around copies of his memoir, “Gifted Hands,” at rallies.") == \
        [("Gifted Hands,", "title")]
    assert kinds_of("They staged a play called “Los Hijos de Trump,” in Mexico City.") == \
        [("Los Hijos de Trump,", "title")]
    assert kinds_of("The ad, titled “Dangerous,” ran on Monday.") == [("Dangerous,", "title")]


def test_a_quote_in_apposition_to_a_work_is_its_title():
    assert kinds_of("To top it off, “Chi-Raq,” a movie about violence, opens this week.") == \
        [("Chi-Raq,", "title")]


def test_words_quoted_from_a_book_stay_speech():
    # a sentence, not a name, after the noun naming the work
    assert kinds_of("He wrote in his memoir, “I was never afraid of anything, and I never "
                    "will be.”") == [("I was never afraid of anything, and I never will be.",
                                      "direct")]
    # a verb "shows", not the noun: someone's words
    assert kinds_of("He said that Obama shows “great charm” abroad.")[0][1] == "fragment"
    # a programme of government is not a work
    assert kinds_of("She called for getting the federal program “back on track.”")[0][1] == \
        "fragment"


def test_a_name_with_figures_in_title_case_is_a_title():
    assert kinds_of("He was the founder of “Indian Americans for Hillary 2008.” He left.") == \
        [("Indian Americans for Hillary 2008.", "title")]


def test_words_mentioned_as_words_are_scare_quotes():
    assert kinds_of("She avoided the charged term, “radical Islam,” which some want.") == \
        [("radical Islam,", "scare")]
    assert kinds_of("She vowed not to use the phrase “illegal immigrant” again.") == \
        [("illegal immigrant", "scare")]


def test_every_item_of_a_list_of_quoted_terms_is_a_term():
    text = ("Officials searched for words such as “ambassador,” “attack,” “Benghazi,” "
            "“Libya” and “talking points.” Any match was kept.")
    assert {kind for _, kind in kinds_of(text)} == {"scare"}


def test_a_list_after_a_quote_ending_its_sentence_is_not_joined_to_it():
    # “Lilyhammer.” ends a sentence: “The Walking Dead” opens the next one
    text = "The governor loves “Lilyhammer.” “The Walking Dead” is a drama."
    assert [kind for _, kind in kinds_of(text)] == ["fragment", "fragment"]


def test_a_single_word_set_off_inside_a_noun_phrase_is_a_scare_quote():
    assert kinds_of("Reines asked the “reporter” to join him.") == [("reporter", "scare")]
    # a word that ends the clause, or a capitalised name, is left to attribution
    assert kinds_of("He called the plan “absurd.”")[0][1] == "fragment"
    assert kinds_of("He posted the “Perception” syllabus online.")[0][1] == "title"


def test_a_quoted_label_alone_in_its_paragraph_is_not_speech():
    assert kinds_of("Paul spoke last.\n\n“Related:”\n\nMore news.") == [("Related:", "title")]
    # a short answer alone in its paragraph is still speech
    assert kinds_of("He was asked.\n\n“No.”\n\nHe left.") == [("No.", "direct")]


def test_a_quote_filling_its_paragraph_is_speech_whatever_its_last_mark():
    text = ("Wait, it gets better:\n\n“By law, the president sets the maximum number. "
            "(Note: this is a legal requirement.)”\n\nSo there.")
    assert kinds_of(text)[0][1] == "direct"
    text = "“Debate recap,” tweeted X. “Clinton: ‘I come from the 60s.’ Marco: ‘The future’”"
    assert [kind for _, kind in kinds_of(text)] == ["direct", "direct"]


def test_an_unclosed_mark_cut_off_at_the_paragraph_end_is_not_made_speech():
    text = "“Tomas Brown praised the outcome of cooperation and thanked the team for\n\nNext."
    assert kinds_of(text)[0][1] == "fragment"


def test_german_low_mark_opens_a_quote_that_its_high_mark_closes():
    """„ was ignored and “ read as an opening mark: the narrative after the
    quote became a quote."""
    text = ("The paper ran the headline „Die Krise ist vorbei“ on Monday, "
            "and officials said the worst was over.")
    assert contents(text) == ["Die Krise ist vorbei"]
    assert contents("Sie sagte: „Wir schaffen das.” Dann ging sie.") == ["Wir schaffen das."]


def test_a_german_closing_mark_does_not_swallow_the_next_quote():
    text = ("Chancellor Angela Merkel told the crowd in Berlin: „Wir schaffen das.“ The crowd "
            "cheered loudly for several minutes after that.\n\n“Thank you,” she said.")
    assert contents(text) == ["Wir schaffen das.", "Thank you,"]


def test_a_stray_closing_mark_after_a_word_opens_no_quote():
    text = "Police raided the compound“ on Monday. “We found 40 people,” an officer said."
    assert contents(text) == ["We found 40 people,"]
