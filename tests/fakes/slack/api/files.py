"""The v2 upload flow (files.getUploadURLExternal, the upload URL, then
files.completeUploadExternal) and files.info."""

from __future__ import annotations

import time

from ..errors import SlackError, invalid_arguments
from ..params import Params
from ..world import Json, StoredFile, World
from .table import MethodTable

methods = MethodTable()

MAX_FILE = 1024 * 1024 * 1024  # 1 GB


@methods("files.getUploadURLExternal", scopes=("files:write",))
def get_upload_url(world: World, p: Params) -> Json:
    filename = p.text("filename")
    length = p.integer("length")
    if not filename:
        raise invalid_arguments("[ERROR] missing required field: filename")
    if length is None:
        raise invalid_arguments("[ERROR] missing required field: length")
    if length <= 0 or length > MAX_FILE:
        raise SlackError("invalid_arguments")
    stored = StoredFile(
        id=world.new_id("F"),
        name=filename,
        title=filename,
        user=world.bot_user_id,
        length=length,
        created=int(time.time()),
        alt_txt=p.text("alt_txt"),
    )
    world.files[stored.id] = stored
    ticket = world.new_token(40)
    world.upload_tickets[ticket] = stored.id
    return {"upload_url": f"{world.base_url}/upload/v1/{ticket}", "file_id": stored.id}


@methods("files.completeUploadExternal", scopes=("files:write",))
def complete_upload(world: World, p: Params) -> Json:
    entries = p.document("files")
    if not isinstance(entries, list) or not entries:
        raise invalid_arguments("[ERROR] missing required field: files")
    stored_files: list[StoredFile] = []
    for entry in entries:
        if not isinstance(entry, dict) or "id" not in entry:
            raise SlackError("invalid_arguments")
        stored = world.files.get(str(entry["id"]))
        if stored is None or stored.data is None or stored.completed:
            raise SlackError("file_not_found")
        stored_files.append(stored)
    channel_ids = [p.text("channel_id")] if p.text("channel_id") else []
    channel_ids += [c for c in (p.text("channels") or "").split(",") if c]
    channels = [world.writable_channel(channel_id) for channel_id in channel_ids]
    thread_ts = p.text("thread_ts")
    if thread_ts and len(channels) != 1:
        raise SlackError("invalid_arguments")
    for entry, stored in zip(entries, stored_files, strict=True):
        stored.title = str(entry.get("title") or stored.name)
        stored.completed = True
    # Slack shares asynchronously: the answer's files have no shares yet.
    answer = [world.file_object(stored, with_shares=False) for stored in stored_files]
    text = p.text("initial_comment") or ""
    blocks = p.document("blocks")
    for channel in channels:
        message: Json = {
            "type": "message",
            "text": text,
            "files": [world.file_object(stored, with_shares=False) for stored in stored_files],
            "upload": True,
            "user": world.bot_user_id,
            "display_as_bot": False,
            "bot_id": world.bot_id,
            "app_id": world.app_id,
            "team": world.team_id,
            "ts": world.next_ts(),
        }
        if blocks:
            message["blocks"] = blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        world.store_message(channel, message)
        for stored in stored_files:
            world.share_file(stored, channel, message)
    return {"files": answer}


@methods("files.info", scopes=("files:read",))
def files_info(world: World, p: Params) -> Json:
    stored = world.files.get(p.text("file") or "")
    if stored is None or not stored.completed:
        raise SlackError("file_not_found")
    return {
        "file": world.file_object(stored),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }
