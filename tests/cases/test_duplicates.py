from datetime import date

import pytest

from cases.models import Person
from cases.selectors import possible_duplicates

pytestmark = pytest.mark.django_db


def person(name, aliases=(), **fields):
    return Person.objects.create(name=name, aliases=list(aliases), **fields)


def found(new):
    return {d.person: d.reasons for d in possible_duplicates(new)}


def test_same_name_in_another_spelling_is_a_possible_duplicate():
    known = person("Søren Ålund", nationality="RO")
    assert found(person("SOEREN AALUND")) == {known: ["name"]}


def test_an_alias_matches_with_the_birth_date():
    known = person(
        "Joy Okafor", aliases=["Blessing"], birth_date=date(1998, 4, 2), nationality="NG"
    )
    result = found(person("Blessing Eze", birth_date=date(1998, 4, 2)))
    assert result == {known: ["partial_name", "birth_date"]}


def test_a_shared_first_name_alone_is_not_enough():
    person("Joy Okafor", nationality="NG")
    assert found(person("Joy Smith", nationality="GB")) == {}


def test_a_shared_name_token_and_nationality_is_enough():
    known = person("Ion Popescu", nationality="RO")
    assert found(person("Ion Ionescu", nationality="RO")) == {
        known: ["partial_name", "nationality"]
    }


def test_estimated_ages_close_together_count_as_similar():
    known = person("Minh Tran", birth_date=date(2000, 1, 1), birth_date_is_estimate=True)
    result = found(person("Tran Van", birth_date=date(2001, 6, 1), birth_date_is_estimate=True))
    assert result == {known: ["partial_name", "similar_age"]}


def test_danish_letters_in_the_known_alias_match_a_transliteration():
    known = person("Anna Berg", aliases=["Åse Ødegård"])
    assert found(person("Aase Oedegaard")) == {known: ["name"]}


def test_the_person_is_not_their_own_duplicate_and_no_name_finds_nothing():
    alone = person("Farid Karimi")
    assert found(alone) == {}
    assert possible_duplicates(Person(name="")) == []
