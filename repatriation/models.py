"""Prepared return and reintegration (forberedt hjemsendelse, domain.md §8): a later issue."""
