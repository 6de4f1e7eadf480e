import pytest

from cmm.core.names import fold, name_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Søren Ålund", "SOREN AALUND"),
        ("Søren Ålund", "Soeren Alund"),
        ("Østergård", "Oestergaard"),
        ("Æbeltoft", "AEBELTOFT"),
        ("José Núñez", "jose nunez"),
        ("Ngozi-Adaeze", "NGOZI ADAEZE"),
    ],
)
def test_spellings_of_one_name_fold_alike(a, b):
    assert fold(a) == fold(b)


def test_different_names_stay_different():
    assert fold("Ole") != fold("Ola")
    assert fold("Mia") != fold("Maja")


def test_name_key_holds_every_token_once_with_spaces_around():
    assert name_key("Joy Okafor", "JOY", "Joy O.") == " joy okafor o "
    assert name_key("") == ""
