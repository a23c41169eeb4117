"""The peer's Config from the TypeScript models' camelCase config (as `bsbr` writes it in results.json)."""
import re

from models import Config

FIELDS = set(Config.__dataclass_fields__)


def config_from_camel(fields: dict) -> Config:
    """Config from camelCase fields; `seed` is ignored (the peer loads weights or draws its own)."""
    snake = {re.sub(r'(?<!^)(?=[A-Z])', '_', key).lower(): value for key, value in fields.items() if key != 'seed'}
    unknown = sorted(set(snake) - FIELDS)
    if unknown:
        raise ValueError(f"unknown config fields: {', '.join(unknown)} (valid: {', '.join(sorted(FIELDS))})")
    return Config(**{key: value for key, value in snake.items() if value is not None})
