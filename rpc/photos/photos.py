"""photos.*: profile photos (upload, set an earlier one again, delete, list).

A user's profile photos are stored photos (square sizes "a" 160, "b" 320, "c" 640, and a
stripped thumbnail) listed newest first; the newest is the current one, shown in user
objects (UserProfilePhoto) and downloadable with InputPeerPhotoFileLocation.
"""

from __future__ import annotations

import time

from storage.peer import Peer
from tl import functions as F, types as T

from ..context import RequestContext
from ..router import Access, handler
from ..errors import E, RpcError
from ..services import file_references
from ..updates.profile import announce_profile
from ..services.media_files import photo_from_upload
from ..services.media_view import photo_object
from ..services.peers import resolve_user
from ..services.users import UserView

PHOTOS_LIMIT = 100


def _profile_photo(photo, user_id: int):
    return photo_object(photo, file_references.make(file_references.PROFILE, user_id))


@handler(F.photos.UploadProfilePhoto, access=Access.USER)
async def upload_profile_photo(request, ctx: RequestContext):
    user_id = ctx.user_id
    if request.bot is not None:
        raise RpcError(400, E.BOT_INVALID)
    if request.file is None:
        raise RpcError(400, E.PHOTO_FILE_MISSING)
    photo = await photo_from_upload(ctx.services, user_id, request.file, profile=True)
    await ctx.services.storage.media.add_profile_photo(Peer.user(user_id), photo.id, time.time_ns() // 1000)
    await announce_profile(ctx, user_id)
    users = await UserView(ctx.services.storage, user_id).users([user_id])
    return T.photos.Photo(photo=_profile_photo(photo, user_id), users=users)


@handler(F.photos.UpdateProfilePhoto, access=Access.USER)
async def update_profile_photo(request, ctx: RequestContext):
    user_id = ctx.user_id
    media = ctx.services.storage.media
    users_view = UserView(ctx.services.storage, user_id)
    if isinstance(request.id, T.InputPhotoEmpty):
        current, _ = await media.profile_photos(Peer.user(user_id), limit=1)
        if current:
            await media.delete_profile_photos(Peer.user(user_id), [current[0].id])
            await announce_profile(ctx, user_id)
        return T.photos.Photo(photo=T.PhotoEmpty(id=0), users=await users_view.users([user_id]))
    if not isinstance(request.id, T.InputPhoto):
        raise RpcError(400, E.PHOTO_ID_INVALID)
    photo = await media.photo(request.id.id)
    if photo is None or photo.access_hash != request.id.access_hash or photo.owner_id != user_id:
        raise RpcError(400, E.PHOTO_ID_INVALID)
    await media.add_profile_photo(Peer.user(user_id), photo.id, time.time_ns() // 1000)
    await announce_profile(ctx, user_id)
    return T.photos.Photo(photo=_profile_photo(photo, user_id), users=await users_view.users([user_id]))


@handler(F.photos.DeletePhotos, access=Access.USER)
async def delete_photos(request, ctx: RequestContext):
    user_id = ctx.user_id
    media = ctx.services.storage.media
    wanted = []
    for item in request.id or ():
        if isinstance(item, T.InputPhoto):
            photo = await media.photo(item.id)
            if photo is not None and photo.access_hash == item.access_hash:
                wanted.append(photo.id)
    deleted = await media.delete_profile_photos(Peer.user(user_id), wanted)
    if deleted:
        await announce_profile(ctx, user_id)
    return deleted


@handler(F.photos.GetUserPhotos, access=Access.USER)
async def get_user_photos(request, ctx: RequestContext):
    # Pages by offset (newest first). max_id is not used: photo ids are random here, so
    # "ids below max_id" would not be a page; clients page with offset (Telethon, TDLib).
    user_id = ctx.user_id
    storage = ctx.services.storage
    target = await resolve_user(storage, user_id, request.user_id)
    if request.max_id < 0:
        raise RpcError(400, E.MAX_ID_INVALID)
    view = UserView(storage, user_id)
    users = await view.users([target])
    if not await view.can_see(target, "profile_photo"):
        return T.photos.Photos(photos=[], users=users)
    offset = max(0, request.offset)
    limit = max(0, min(request.limit or PHOTOS_LIMIT, PHOTOS_LIMIT))
    photos, total = await storage.media.profile_photos(Peer.user(target), offset=offset, limit=limit)
    rendered = [_profile_photo(p, target) for p in photos]
    if offset or total > len(rendered):
        return T.photos.PhotosSlice(count=total, photos=rendered, users=users)
    return T.photos.Photos(photos=rendered, users=users)
