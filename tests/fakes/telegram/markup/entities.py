"""Message entities and TDLib's ``fix_entities``: sorting, merging, splitting and dropping
entities until they follow Telegram's nesting rules."""

from __future__ import annotations

from dataclasses import dataclass

SPLITTABLE = ("bold", "italic", "underline", "strikethrough", "spoiler")
BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
PRE_KINDS = frozenset({"pre", "code"})
CONTINUOUS = frozenset({"text_link", "text_mention", "custom_emoji"})
# TDLib's MessageEntity::get_type_priority: among entities covering the same span, a
# lower priority comes first (encloses the others). "pre" with a language is 10.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


@dataclass
class Entity:
    type: str  # the Bot API's MessageEntity type
    offset: int
    length: int
    argument: str = ""  # url (text_link), language (pre), user id, custom emoji id

    @property
    def end(self) -> int:
        return self.offset + self.length

    def sort_key(self) -> tuple[int, int, int]:
        priority = 10 if self.type == "pre" and self.argument else _PRIORITY[self.type]
        return (self.offset, -self.length, priority)


def _entities_valid(entities: list[Entity]) -> bool:
    """TDLib's are_entities_valid (entities sorted): nothing needs fixing."""
    ends = dict.fromkeys(SPLITTABLE, -1)
    stack: list[Entity] = []
    for entity in entities:
        while stack and entity.offset >= stack[-1].end:
            stack.pop()
        if stack:
            nested = {parent.type for parent in stack}
            if entity.end > stack[-1].end:  # intersects a previous entity
                return False
            if entity.type in nested:  # same type as one of the enclosing entities
                return False
            if stack[-1].type in PRE_KINDS:  # pre and code contain nothing
                return False
            if entity.type in PRE_KINDS and nested - BLOCKQUOTES:
                return False  # pre and code are part of nothing but a blockquote
            if (entity.type in CONTINUOUS or entity.type in BLOCKQUOTES) and nested & CONTINUOUS:
                return False
            if entity.type in BLOCKQUOTES and nested & BLOCKQUOTES:
                return False
            if nested & set(SPLITTABLE):  # the parent may need splitting
                return False
        if entity.type in ends:
            if ends[entity.type] >= entity.offset:  # could be merged
                return False
            ends[entity.type] = entity.end
        stack.append(entity)
    return True


def _remove_intersecting(entities: list[Entity]) -> list[Entity]:
    kept: list[Entity] = []
    last_end = 0
    for entity in entities:
        if entity.offset >= last_end:
            last_end = entity.end
            kept.append(entity)
    return kept


def _remove_intersecting_blockquote(
    entities: list[Entity], blockquotes: list[Entity]
) -> list[Entity]:
    kept: list[Entity] = []
    index = 0
    for entity in entities:
        while index < len(blockquotes) and blockquotes[index].end <= entity.offset:
            index += 1
        if index < len(blockquotes):
            quote = blockquotes[index]
            if quote.end < entity.end or entity.offset < quote.offset < entity.end:
                continue
        kept.append(entity)
    return kept


def _split_entities(splittable: list[Entity], others: list[Entity]) -> list[Entity]:
    """Merge overlapping/adjacent entities of one splittable type, split them at the
    borders of the other entities and drop them inside pre/code."""
    begin = dict.fromkeys(SPLITTABLE, 0)
    end = dict.fromkeys(SPLITTABLE, 0)
    result: list[Entity] = []
    position = 0

    def flush(offset: int) -> None:
        for kind in SPLITTABLE:
            if end[kind] != 0 and begin[kind] < offset:
                if end[kind] <= offset:
                    result.append(Entity(kind, begin[kind], end[kind] - begin[kind]))
                    begin[kind] = end[kind] = 0
                else:
                    result.append(Entity(kind, begin[kind], offset - begin[kind]))
                    begin[kind] = offset

    def add_entities(end_offset: int) -> None:
        nonlocal position
        while position < len(splittable) and splittable[position].offset < end_offset:
            entity = splittable[position]
            kind = entity.type
            if end[kind] != 0 and entity.offset <= end[kind]:
                end[kind] = max(end[kind], entity.end)
            else:
                flush(entity.offset)
                begin[kind], end[kind] = entity.offset, entity.end
            position += 1
        flush(end_offset)

    stack: list[Entity] = []

    def add_offset(offset: int) -> None:
        while stack and offset >= stack[-1].end:
            old_size = len(result)
            add_entities(stack[-1].end)
            if stack[-1].type in PRE_KINDS:
                del result[old_size:]
            stack.pop()
        add_entities(offset)

    for other in others:
        add_offset(other.offset)
        stack.append(other)
    add_offset(2**31 - 1)
    return sorted(result, key=Entity.sort_key)


def fix_entities(entities: list[Entity]) -> list[Entity]:
    """TDLib's fix_entities: enforce Telegram's nesting rules on sorted entities."""
    entities = sorted(entities, key=Entity.sort_key)
    if _entities_valid(entities):
        return entities
    splittable = [entity for entity in entities if entity.type in SPLITTABLE]
    blockquotes = [entity for entity in entities if entity.type in BLOCKQUOTES]
    others = [
        entity
        for entity in entities
        if entity.type not in SPLITTABLE and entity.type not in BLOCKQUOTES
    ]
    others = _remove_intersecting(others)  # continuous entities can't intersect
    if blockquotes:
        blockquotes = _remove_intersecting(blockquotes)
        others = _remove_intersecting_blockquote(others, blockquotes)
        others = sorted(others + blockquotes, key=Entity.sort_key)
    if splittable:
        splittable = _split_entities(splittable, others)
        others = sorted(others + splittable, key=Entity.sort_key)
    return others
