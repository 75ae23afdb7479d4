"""Speaker attribution with the real pipeline, and the quality bar on the gold."""

from __future__ import annotations

import pytest

from benchmarks.quotes_eval import (dossier_predictions, evaluate, load_gold, load_polnear,
                                    polnear_folder)
from desktop.analysis.analyse import analyse_text


def speakers(pipeline, text):
    return [(q.text, q.kind, q.speaker, q.speaker_kind, q.cue)
            for q in analyse_text(pipeline, text).quotes]


def said_by(pipeline, text):
    """Each quote's speaker, in text order."""
    return [speaker for _, _, speaker, _, _ in speakers(pipeline, text)]


def test_speaker_after_the_quote_resolves_a_pronoun_to_the_last_subject(pipeline):
    text = ("Police chief Neth Savoeun met officials in Phnom Penh on Monday.\n\n"
            "“We will act,” he said.")
    assert speakers(pipeline, text) == [("We will act,", "direct", "Neth Savoeun", "person",
                                         "said")]


def test_a_surname_resolves_to_the_full_name(pipeline):
    text = ("Minister of Interior Sar Sokha arrived in Canberra.\n\n"
            "“The visit is useful,” Sokha told reporters.")
    [(_, _, speaker, kind, cue)] = speakers(pipeline, text)
    assert (speaker, kind, cue) == ("Sar Sokha", "person", "told")


def test_she_refers_back_to_an_unnamed_woman(pipeline):
    text = ("Police commander Chhay Kim Khoeun led the raid.\n\n"
            "A 24-year-old Indonesian woman, who asked not to be named, said she had "
            "answered an advertisement.\n\n"
            "“They took my passport,” she said through an interpreter.")
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker, kind) == ("24-year-old Indonesian woman", "person")


def test_he_skips_an_unnamed_woman_for_the_named_man_before_her(pipeline):
    text = ("Police commander Chhay Kim Khoeun led the raid.\n\n"
            "A woman from the compound said the guards had left.\n\n"
            "“We found forty phones,” he said.")
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker, kind) == ("Chhay Kim Khoeun", "person")


def test_inverted_cue_with_a_document_source(pipeline):
    text = ("According to a police press release, the raid freed 300 people.\n\n"
            "“The operation continues,” said the release.")
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker, kind) == ("police press release", "document")


def test_it_refers_back_to_the_statement(pipeline):
    text = ("The ministry issued a statement on Friday.\n\n"
            "“Borders will stay open,” it said.")
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker, kind) == ("statement", "document")


def test_cue_before_the_quote_with_a_colon(pipeline):
    text = 'Unit director Sok Dara said: "We traced the funds."'
    [(_, _, speaker, _, cue)] = speakers(pipeline, text)
    assert (speaker, cue) == ("Sok Dara", "said")


def test_dash_attribution(pipeline):
    text = "Officials met in Bangkok.\n\n“Cooperation is not optional.” — Commissioner Reece Kershaw"
    [(_, _, speaker, _, cue)] = speakers(pipeline, text)
    assert (speaker, cue) == ("Reece Kershaw", "\u2014")


def test_a_quote_without_cue_inherits_the_speaker_of_its_paragraph(pipeline):
    text = ("Chief Sok Dara spoke in Phnom Penh.\n\n"
            "“We start in March,” Dara said. “And we stay.”")
    assert [s[2] for s in speakers(pipeline, text)] == ["Sok Dara", "Sok Dara"]


def test_role_resolves_to_the_person_introduced_with_it(pipeline):
    text = ("Australian ambassador Pablo Kang met ministers on Monday.\n\n"
            "“Trafficking needs a regional answer,” the ambassador said.")
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker, kind) == ("Pablo Kang", "person")


def test_partial_quote_has_a_speaker_scare_quote_has_none(pipeline):
    text = ("What Somchai Wongsuwan called “joint rapid response” teams start in "
            "the so-called “scam capital” this week.")
    found = {q[0]: q[1:4] for q in speakers(pipeline, text)}
    assert found["joint rapid response"] == ("partial", "Somchai Wongsuwan", "person")
    assert found["scam capital"] == ("scare", None, "unknown")


def test_speaker_mention_span_points_at_the_cue_mention(pipeline):
    text = "“We will act,” said Colonel Chhoun Narin."
    [quote] = analyse_text(pipeline, text).quotes
    assert text[quote.speaker_start:quote.speaker_end] == "Chhoun Narin"


@pytest.mark.parametrize("group", ["seeds", "hard cases", "held out", "blind 2",
                                   "speaker cases"])
def test_quote_and_speaker_quality_bar_on_the_gold(pipeline, group):
    """The issue's bar: quote F1 ≥ 0.95 and speaker accuracy ≥ 0.95."""
    errors: list[str] = []
    score = evaluate(dossier_predictions, pipeline.nlp, load_gold(), errors)[group]
    assert score.f1 >= 0.95, errors
    assert score.speaker_accuracy >= 0.95, errors


# -- issue 15: rules for real news, each on a short text ------------------------------

def test_an_honorific_with_a_full_stop_never_cuts_the_name(pipeline):
    text = "“Other nations have changed their tax codes,” said Rep. Patrick J. Tiberi."
    [(_, _, speaker, kind, _)] = speakers(pipeline, text)
    assert (speaker.replace(".", ""), kind) == ("Patrick J Tiberi", "person")


def test_a_participle_clause_gives_the_quote_to_the_main_verbs_subject(pipeline):
    text = ("Michael Petrilli, president of the Fordham Institute, tied the scores to "
            "graduation rates, saying the law helped “millions of kids who would have "
            "been on the streets.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.method) == ("Michael Petrilli", "cue")


def test_a_colon_paragraph_introduces_the_next_paragraphs_quote(pipeline):
    text = ("Senator Ted Cruz spoke last.\n\nThe moderators asked about taxes. Cruz called "
            "them on it:\n\n“The questions asked in this debate illustrate why the "
            "American people don’t trust the media.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Ted Cruz"


def test_a_wrong_way_opening_mark_in_a_closing_place_closes_the_quote(pipeline):
    text = "“It's unusual,“ said Larry Noble, an attorney with the Campaign Legal Center."
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.text, quote.speaker) == ("It's unusual,", "Larry Noble")


def test_a_show_title_with_the_comma_inside_is_not_a_quote(pipeline):
    text = "Speaking on ABC’s “This Week,” Carson admitted that the course name was wrong."
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.kind == "title"


def test_the_method_says_how_each_speaker_was_found(pipeline):
    text = ("Police chief Neth Savoeun met officials in Phnom Penh on Monday.\n\n"
            "“We will act,” Savoeun said. “And we will stay.”\n\n"
            "“The raids go on,” he said.")
    methods = [(q.speaker, q.method) for q in analyse_text(pipeline, text).quotes]
    assert methods == [("Neth Savoeun", "cue"), ("Neth Savoeun", "inherited"),
                       ("Neth Savoeun", "pronoun")]


def test_a_quote_nobody_said_has_no_method(pipeline):
    text = "The sign on the door read: “Closed.”\n\n“Nothing works here.”"
    quotes = analyse_text(pipeline, text).quotes
    assert all(q.method is None for q in quotes if q.speaker is None)


def test_a_description_between_the_name_and_the_verb(pipeline):
    text = ("Officials met on Monday.\n\n“It is not the position that everything is fine,” "
            "Gene Sperling, a top outside adviser, said at a recent event in Iowa.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.method) == ("Gene Sperling", "cue")


def test_a_role_and_an_organisation_before_the_name_are_dropped(pipeline):
    text = ("Interior Ministry spokesman Lim Bora welcomed the agreement, saying Cambodia had "
            "“already closed more than forty compounds this year and will close more.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Lim Bora"


def test_of_two_people_in_the_cue_the_subject_speaks(pipeline):
    text = ("Trump was criticised on Sunday.\n\nAsked by Stephanopoulos to respond to the "
            "criticism, Carson said, “I would not be anxious to have a commander in chief "
            "who acted that way.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Carson"


def test_an_organisation_is_kept_whole_and_matched_to_its_mention(pipeline):
    text = ("The state prosecutors' office said in a statement that eleven suspects had been "
            "charged. “The investigation is continuing and further arrests are expected,” "
            "the office said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.speaker_kind) == ("state prosecutors' office", "organisation")


def test_coordinated_subjects_then_they(pipeline):
    text = ("Ms. Helen Marsh and Gen. Somsak Rattanawong later met victims' families. "
            "“Many of them still do not know where their children are,” they added.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.method) == ("Helen Marsh and Somsak Rattanawong", "pronoun")


def test_she_skips_a_nearer_man_for_the_woman_the_article_followed(pipeline):
    text = ("Mr. Chea Vuthy said the family had paid traffickers twice. His wife, Sok "
            "Channary, described the calls they received at night. “They told us he would be "
            "sold again if we did not pay,” she said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.method) == ("Sok Channary", "pronoun")


def test_an_object_pronoun_is_not_the_subjects_gender(pipeline):
    text = ("Ms. Lina Hok, a lawyer for several families, said the case files were incomplete. "
            "A police officer, Sgt. Kim Rith, sat beside her. “Nobody has told us who ran "
            "the building,” she said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Lina Hok"


def test_an_inverted_colon_paragraph_names_the_speaker(pipeline):
    text = ("Colonel Mean Sopheak heads the anti-trafficking unit.\n\n"
            "Says Sopheak to reporters:\n\n"
            "“Every person must be identified before they cross. We cannot skip that step.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Mean Sopheak"


def test_said_the_police_is_the_police_the_article_named_last(pipeline):
    text = ("Thai police said 63 people had been released. Cambodian police, however, gave a "
            "lower figure. “We have identified 41 Cambodian nationals among those released,” "
            "said the police.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Cambodian police"


@pytest.mark.slow
@pytest.mark.skipif(polnear_folder() is None, reason="the PolNeAR development set is not here")
def test_speaker_accuracy_on_the_polnear_development_set(pipeline):
    """Real US election news: speaker accuracy ≥ 0.90 (issue 15's bar); quote
    F1 is guarded near its measured level (0.931 unfiltered; the bar of 0.97
    is not met — docs/quotes-polnear-errors.md says why)."""
    errors: list[str] = []
    score = evaluate(dossier_predictions, pipeline.nlp, load_polnear(), errors)["polnear"]
    assert score.speaker_accuracy >= 0.90, errors
    assert score.f1 >= 0.925, errors


def test_two_people_sharing_a_surname_are_told_apart_by_the_honorific(pipeline):
    text = ("Mary Smith and her husband John Smith ran the shop. “We lost everything,” "
            "Mrs. Smith said. “Nothing is left,” Mr. Smith added.")
    assert [q.speaker for q in analyse_text(pipeline, text).quotes] == ["Mary Smith",
                                                                         "John Smith"]


def test_places_joined_by_and_before_police_are_one_organisation(pipeline):
    text = ("Devon and Cornwall Police said a man had been arrested. “Inquiries are "
            "continuing,” the force said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.speaker_kind) == ("Devon and Cornwall Police", "organisation")


def test_an_initialism_with_full_stops_does_not_cut_the_name(pipeline):
    text = ("“These defendants preyed on victims across the country,” said U.S. Attorney "
            "Martin Estrada.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Martin Estrada"


def test_a_role_subject_is_the_person_its_apposition_names(pipeline):
    text = ("“We will not stop,” said Commissioner Reece Kershaw.\n\nCambodia’s national "
            "police chief, Sar Thet, met Kershaw on Monday. “This is a new chapter,” he said.")
    assert [q.speaker for q in analyse_text(pipeline, text).quotes] == ["Reece Kershaw",
                                                                         "Sar Thet"]


def test_said_in_a_statement_makes_the_organisation_the_source(pipeline):
    text = ("The company said in a statement that it had cooperated fully. “We have zero "
            "tolerance for fraud,” it said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.speaker_kind) == ("company", "organisation")


def test_an_apostrophe_inside_a_name_stays(pipeline):
    text = ("Home Affairs Minister Clare O'Neil said the scams cost billions. “This is an "
            "epidemic,” she said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Clare O'Neil"


def test_a_role_with_its_department_before_the_name_in_a_colon_paragraph(pipeline):
    text = ("Minister for Security Dan Jarvis said:\n\n"
            "“Those who exploit vulnerable people will be found.”")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Dan Jarvis"


def test_a_relative_clause_between_the_quote_and_the_verb_is_skipped(pipeline):
    text = "“It's a disaster,” the official, who asked not to be named, told AFP."
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker != "who"


def test_a_gendered_noun_names_its_apposition_for_pronouns(pipeline):
    text = ("Police chief Sar Thet spoke first. The victim's mother, Sreymom, said she had not "
            "heard from her daughter in weeks. “She was only 19,” she said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == "Sreymom"


def test_they_is_an_organisation_spoken_of_as_a_body(pipeline):
    text = "Thai police raided the compound on Monday. “We found 200 phones,” they said."
    [quote] = analyse_text(pipeline, text).quotes
    assert (quote.speaker, quote.method) == ("Thai police", "pronoun")


def test_they_is_a_group_put_forward_after_the_organisation(pipeline):
    text = ("Police raided the compound on Monday.\n\nResidents said they were scared. "
            "“We heard shots all night,” they said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker.lower() == "residents"


def test_a_cue_ending_the_sentence_a_partial_quote_opens(pipeline):
    # “…” but …, says X: the quote opens the sentence, its cue ends it
    # (the parse hangs "says" on the next paragraph here: the words carry the cue)
    text = ('Bush raised $103 million.\n\n"Campaigns are having trouble raising money. Super '
            'PACs have the money. They don\'t have a choice" but to take the lead in '
            'advertising, says Evan Tracey, a Republican media consultant with National Media '
            'in Alexandria, Va.\n\nThat outside help comes.')
    [(_, kind, speaker, _, cue)] = speakers(pipeline, text)
    assert (kind, speaker, cue) == ("partial", "Evan Tracey", "says")


def test_a_quote_opening_a_sentence_without_a_cue_stays_nobodys(pipeline):
    text = "Senator Jane Roe spoke.\n\n“Anything but a gimmick” is how the plan works now."
    [(_, kind, speaker, _, _)] = speakers(pipeline, text)
    assert (kind, speaker) == ("scare", None)


def test_a_possessor_before_a_speech_noun_said_the_words(pipeline):
    text = ("Unions hate the tax. It's the pull of Obama's “if you like your plan, you can "
            "keep it” promise: many kept their plans.")
    [(_, kind, speaker, _, _)] = speakers(pipeline, text)
    assert (kind, speaker) == ("partial", "Obama")
    # a possessor before a noun that is not speech is not a speaker
    text = "It's the pull of Obama's “keep your plan” health law."
    [(_, kind, _, _, _)] = speakers(pipeline, text)
    assert kind == "scare"


def test_a_dig_at_quoted_words_is_the_words_of_who_made_it(pipeline):
    text = ("Cornel West spoke on Sunday. West landed a sharp dig at “my dear sister "
            "Hillary Clinton.”")
    [(_, kind, speaker, _, _)] = speakers(pipeline, text)
    assert (kind, speaker) == ("partial", "Cornel West")


def test_a_colon_paragraph_naming_nobody_gives_no_speaker(pipeline):
    text = ("The fact-check mocks the candidates.\n\nWait, it gets better:\n\n“By law, the "
            "president sets the maximum number of refugees each year.”")
    [(_, kind, speaker, _, _)] = speakers(pipeline, text)
    assert (kind, speaker) == ("direct", None)
    text = ("Border official Mean Sopheak spoke.\n\nSays Sopheak to reporters:\n\n"
            "“Every person must be checked.”")
    [(_, _, speaker, _, _)] = speakers(pipeline, text)
    assert speaker == "Mean Sopheak"


def test_words_as_words_get_no_speaker(pipeline):
    text = "Trump slammed the president for not using the term “radical Islamic terrorism.”"
    [(_, kind, speaker, _, _)] = speakers(pipeline, text)
    assert (kind, speaker) == ("scare", None)


def test_a_dash_going_on_with_the_sentence_names_nobody(pipeline):
    text = "Or maybe his bluster act—“My tax plan will be a tremendous plan!”—is wearing thin."
    [(_, _, speaker, _, _)] = speakers(pipeline, text)
    assert speaker is None


def test_a_contraction_or_an_outlet_s_before_a_name_is_no_part_of_it(pipeline):
    text = ("“He's Donald Trump, and he's in his own lane,” said George Allen.\n\n"
            "The Wall Street Journal's Jennifer Smith covered the museum.\n\n"
            "Trump has called the deal “a terrible mistake,” and he said Obama "
            "“has no strategy to defeat ISIS.”\n\n"
            "“The museum is in good hands,” Smith said.")
    named = [speaker for _, kind, speaker, _, _ in speakers(pipeline, text) if kind == "direct"]
    assert named == ["George Allen", "Donald Trump", "Jennifer Smith"]


def test_a_digest_item_is_the_words_of_the_writer_its_colon_names(pipeline):
    # a newsletter quoting other outlets: '"Headline," by Outlet's Writer: "…"'
    text = ("—\"Sam Mendes leaves the Chocolate Factory on its way to Broadway,\" by Times' "
            "Michael Paulson: \"Sam Mendes is withdrawing as the director of the musical, "
            "allowing the producers to rework the show before it opens.\"\n\n"
            "PSA—\"You have until the end of December to get free zoo memberships,\" by "
            "DNAinfo's Nicole Levy: \"You have a few more weeks to snag free memberships "
            "when you sign up for an IDNYC card.\"")
    assert [(kind, speaker) for _, kind, speaker, _, _ in speakers(pipeline, text)] == [
        ("title", None), ("direct", "Michael Paulson"),
        ("title", None), ("direct", "Nicole Levy")]


@pytest.mark.parametrize("text, expected", [
    pytest.param(   # the parse joins "arguing" to "was sunk", inside what "saying" reports:
        # the subjects there (the bill) are said of; the speaker is the main clause's
        "Senator Ana Ruiz pushed back on those claims on Thursday, saying that the bill had "
        "the right safeguards but was sunk by public mistrust - and arguing that she and "
        "Cole shared “almost all the same views on policing.”",
        ["Ana Ruiz"], id="coordinated participles: the subject of the clause they hang on"),
    pytest.param(
        "Commissioner Dara Keo pushed back on the criticism Monday, saying that the treaty "
        "had the necessary protections but was delayed by political mistrust - and arguing "
        "that he and Lim shared “exactly the same goals on extradition.”",
        ["Dara Keo"], id="coordinated participles, another sentence"),
    pytest.param(   # "saying" is the quote's own first word, though the parse makes it
        # the verb of "the ministers are": the cue is "said", outside the quote
        "On Sunday, Senator Amy Lee said that by refusing to act, the ministers are “saying "
        "the problem does not exist and never did.”",
        ["Amy Lee"], id="a reporting verb among the quoted words is no cue"),
    pytest.param(
        "Police chief Dara Keo said Sunday that he believed the talks would succeed, but not "
        "until Bangkok “admits this is a problem.”",
        ["Dara Keo"], id="a reporting verb among the quoted words is no cue, another"),
    pytest.param(   # spaCy reads "Trump May be Aligning" and "Republican Donor Adelson"
        # as people in a title-case headline; the speaker's name comes from the text
        "Republican Donor Adelson and Trump May be Aligning on Israel.\n\nTop Republican "
        "Party donor Sheldon Adelson met Donald Trump this week.\n\nHours later, Trump "
        "returned the compliment, telling Reuters, “Sheldon and I have been friends for a "
        "long time.”\n\n“They have got to be able to win,” Adelson said.",
        ["Donald Trump", "Sheldon Adelson"], id="a headline lends no words to a name"),
    pytest.param(
        "A Meaningful Exchange Actually Happened Between Marco Rubio And Rand Paul At The "
        "GOP Debate.\n\nSen. Marco Rubio answered a question on defence spending.\n\n"
        "“I know that Rand is a committed isolationist,” Rubio said.",
        ["Marco Rubio"], id="a long headline with small words capitalised"),
    pytest.param(
        "Carl Quintanilla seemed taken aback and mentioned that the picture had been on the "
        "company's Web site. \"Does that not speak to your vetting process?\"\n\n"
        "\"Your reputation is amazing,\" Trump assured Jones.",
        ["Carl Quintanilla", "Trump"], id="mentioned and assured are reporting verbs"),
    pytest.param(   # "Judge" inside the lawyer's quote, "the judge" closing the paragraph
        # before: neither makes the lawyer the judge
        "“Judge,” Ben Brafman said, “I have never had a case like this.”\n\n“Everything "
        "that you have said,” the judge exclaimed, “has overlapped.”\n\nBrafman sat down.",
        ["Ben Brafman", "Ben Brafman", "judge", "judge"],
        id="a role word in a quote or another paragraph gives no one that role"),
    pytest.param(
        "Interior Minister Mohammed al-Hakim met Australian officials in Baghdad on Monday."
        "\n\n“We will share intelligence on trafficking networks,” al-Hakim told reporters."
        "\n\nLudwig van der Berg, a Dutch prosecutor, was also there. “The cooperation is "
        "real,” van der Berg said.",
        ["Mohammed al-Hakim", "Ludwig van der Berg"], id="names with particles grow whole"),
    pytest.param(   # spaCy reads "Det" of "Det. Supt. Jane Hale" as a person of its own
        "“We found people who had not been paid for months,” said Det. Supt. Jane Hale of "
        "the Australian Federal Police, who led the operation.\n\n“We moved quickly,” said "
        "Det. Supt. Mark Ellis.",
        ["Jane Hale", "Mark Ellis"], id="a rank written short is no speaker"),
    pytest.param(
        "“We moved quickly,” said Det. Supt. Jane Hale.\n\nOfficers then interviewed a "
        "released worker, Li Wei, 27.\n\n“I was told it was a job in customer service,” "
        "he said.",
        ["Jane Hale", "Li Wei"], id="he is the man just introduced by a description"),
])
def test_speakers_of_real_news_patterns(pipeline, text, expected):
    assert said_by(pipeline, text) == expected


def test_an_organisation_s_office_or_spokesman_speaks_not_the_organisation(pipeline):
    text = ("China's embassy said in a statement that it “firmly supports” the crackdown.\n\n"
            "“We will not stop until every centre is closed,” a Chinese police spokesman said.")
    assert [(speaker, kind) for _, _, speaker, kind, _ in speakers(pipeline, text)] == [
        ("China's embassy", "organisation"), ("Chinese police spokesman", "person")]


def test_a_name_introduced_as_a_person_is_one_whatever_the_tagger_says(pipeline):
    """spaCy tags "Somchai Prasert" (and the later "Somchai") an organisation;
    standing in apposition to "a lawyer", the name is a person's."""
    text = ("A lawyer for the families, Somchai Prasert, said the case would go to court. "
            "“We will not stop,” Somchai said.")
    assert [(speaker, kind) for _, _, speaker, kind, _ in speakers(pipeline, text)] == [
        ("Somchai Prasert", "person")]


def test_a_speaker_named_only_by_a_party_is_to_check(pipeline):
    """"the Republican said" gave the speaker "Republican", found by a cue,
    so never marked to check (walk S, on PolNeAR articles)."""
    text = ("Ben Carson spoke to voters in Iowa on Tuesday.\n\n"
            "“We have to cut the regulations that strangle small business,” the "
            "Republican said.\n\n"
            "“The economy needs room,” Carson told reporters.")
    found = [(q.speaker, q.method) for q in analyse_text(pipeline, text).quotes]
    assert found[0][1] == "group" and found[0][0] == "Republican"
    assert found[1] == ("Ben Carson", "cue")


def test_stored_analyses_mark_a_party_named_speaker_to_check(pipeline, tmp_path):
    """Analyses stored before the ``group`` method said ``cue``: migration
    0031 gives them ``group``, as a new analysis does, and leaves a named
    speaker alone."""
    from storage import analyses, articles, open_database, quotes
    from storage.schema import group_speakers

    text = ("Ben Carson spoke to voters in Iowa on Tuesday.\n\n"
            "“We have to cut the regulations that strangle small business,” the "
            "Republican said.\n\n"
            "“The economy needs room,” Carson told reporters.")
    db = open_database(tmp_path / "old.db")
    article_id, _ = articles.add_article(db, title="Carson", text=text)
    result = analyse_text(pipeline, text)
    analyses.save_analysis(db, article_id=article_id, text_hash=articles.get_article(
        db, article_id)["text_hash"], pipeline="p", pipeline_version="1", degraded=False,
        entities=[vars(e) if not isinstance(e, dict) else e for e in result.entities],
        quotes=[dict(vars(q), method="cue") for q in result.quotes])
    assert [q["method"] for q in quotes.all_quotes(db)] == ["cue", "cue"]
    with db.atomic():
        group_speakers(db)
    assert [(q["speaker"], q["method"]) for q in quotes.all_quotes(db)] == [
        ("Republican", "group"), ("Ben Carson", "cue")]


@pytest.mark.parametrize("text, speaker, words", [
    ("“The deal is done,” said Reuters’ Jane Smith.", "Jane Smith", "Jane Smith"),
    # real PolNeAR text (usa-today_2015-11-25)
    ('"What stuns me is how little the playing field seems to shift week to week," '
     "Twitter's Adam Sharp said.", "Adam Sharp", "Adam Sharp"),
])
def test_an_outlets_possessive_before_a_name_is_no_part_of_it(pipeline, text, speaker, words):
    """It was: "Reuters Jane Smith", "Twitter Adam Sharp"."""
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == speaker
    assert text[quote.speaker_start:quote.speaker_end] == words


def test_decomposed_accents_stay_in_the_speakers_name(pipeline):
    """A name written with combining accents (NFD, as some feeds and PDF
    copies give it) was cut at each accent: "Jose Marti nez", the speaker's
    span ending inside the word. The text is analysed as stored."""
    import unicodedata

    text = unicodedata.normalize(
        "NFD", "Minister José Martínez arrived on Monday. “The deal is done,” Martínez said.")
    [quote] = analyse_text(pipeline, text).quotes
    assert quote.speaker == unicodedata.normalize("NFD", "José Martínez")
    assert text[quote.speaker_start:quote.speaker_end] == unicodedata.normalize(
        "NFD", "Martínez")
