"""A GitLab client, unchanged, drives Laurel end to end.

Usage: python3 python_gitlab_scenario.py BASE_URL ADMIN_TOKEN
Prints "scenario ok" on success; any failure raises (non-zero exit).
"""
import io
import struct
import sys
import zlib

import gitlab
import requests

base, admin_token = sys.argv[1], sys.argv[2]
admin = gitlab.Gitlab(base, private_token=admin_token)
admin.auth()
assert admin.user.username == "root", admin.user.username


def png_bytes():
    raw = b"".join(b"\x00" + bytes([200, 40, 90, 255]) * 8 for _ in range(8))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 8, 8, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# The admin creates users and a token for each.
tokens = {}
users = {}
for name in ["pyowner", "pymaintainer", "pydev", "pyfan"]:
    user = admin.users.create({
        "username": name, "name": name.title(), "email": f"{name}@example.com",
        "password": "password123", "skip_confirmation": True,
    })
    users[name] = user
    token = user.personal_access_tokens.create({"name": "scenario", "scopes": ["api"]})
    tokens[name] = token.token

client = {name: gitlab.Gitlab(base, private_token=t) for name, t in tokens.items()}
owner = client["pyowner"]

group = owner.groups.create({"name": "Py Team", "path": "py-team", "visibility": "public"})
group.members.create({"user_id": users["pymaintainer"].id, "access_level": gitlab.const.AccessLevel.MAINTAINER})
group.members.create({"user_id": users["pydev"].id, "access_level": gitlab.const.AccessLevel.DEVELOPER})
assert len(group.members.list()) == 3

project = client["pymaintainer"].projects.create({"name": "Site", "path": "site", "namespace_id": group.id, "visibility": "public"})
issue = client["pydev"].projects.get(project.id).issues.create({"title": "Typo on the front page", "description": "teh"})
note = issue.notes.create({"body": "Fixed in the next release."})
mr = client["pydev"].projects.get(project.id).mergerequests.create(
    {"title": "Fix typo", "source_branch": "typo", "target_branch": "main"})

# Reactions through REST, as python-gitlab does them.
fan_issue = client["pyfan"].projects.get("py-team/site").issues.get(issue.iid)
award = fan_issue.awardemojis.create({"name": "+1"})
assert award.name == "thumbsup", award.name
fan_issue.notes.get(note.id).awardemojis.create({"name": "tada"})
client["pyfan"].projects.get(project.id).mergerequests.get(mr.iid).awardemojis.create({"name": "rocket"})
assert client["pyfan"].projects.get(project.id).issues.get(issue.iid).upvotes == 1
award.delete()
assert fan_issue.awardemojis.list() == []

# Reactions and achievements through GraphQL (python-gitlab's GraphQL client).
gql = {name: gitlab.GraphQL(base, token=t) for name, t in tokens.items()}
toggled = gql["pyfan"].execute(
    'mutation { awardEmojiToggle(input: { awardableId: "gid://gitlab/Issue/%d", name: "heart" }) { toggledOn errors } }' % issue.id)
assert toggled["awardEmojiToggle"]["toggledOn"] is True, toggled

# The maintainer creates an achievement with an avatar (multipart request spec).
ns = gql["pymaintainer"].execute('{ namespace(fullPath: "py-team") { id } }')["namespace"]["id"]
operations = ('{"query": "mutation ($file: Upload!) { achievementsCreate(input: { namespaceId: \\"%s\\", name: \\"Eagle eye\\", '
              'description: \\"Spotted it first\\", avatar: $file }) { achievement { id name avatarUrl } errors } }", '
              '"variables": {"file": null}}') % ns
response = requests.post(f"{base}/api/graphql", headers={"Authorization": f"Bearer {tokens['pymaintainer']}"},
                         files={"operations": (None, operations), "map": (None, '{"0": ["variables.file"]}'),
                                "0": ("eagle.png", io.BytesIO(png_bytes()), "image/png")})
created = response.json()["data"]["achievementsCreate"]
assert created["errors"] == [], created
achievement_id = created["achievement"]["id"]
assert requests.get(created["achievement"]["avatarUrl"]).content == png_bytes()

award_doc = ('mutation { achievementsAward(input: { achievementId: "%s", userId: "gid://gitlab/User/%d" }) '
             '{ userAchievement { id } errors } }')
ids = []
for _ in range(3):
    result = gql["pymaintainer"].execute(award_doc % (achievement_id, users["pyfan"].id))
    assert result["achievementsAward"]["errors"] == [], result
    ids.append(result["achievementsAward"]["userAchievement"]["id"])
revoked = gql["pymaintainer"].execute(
    'mutation { achievementsRevoke(input: { userAchievementId: "%s" }) { userAchievement { revokedAt } errors } }' % ids[0])
assert revoked["achievementsRevoke"]["userAchievement"]["revokedAt"], revoked

# The recipient hides one and reorders the rest.
fan = gql["pyfan"]
fan.execute('mutation { userAchievementsUpdate(input: { userAchievementId: "%s", showOnProfile: false }) { errors } }' % ids[1])
order = fan.execute('mutation { userAchievementPrioritiesUpdate(input: { userAchievementIds: ["%s", "%s"] }) '
                    '{ userAchievements { id priority } errors } }' % (ids[2], ids[1]))
assert order["userAchievementPrioritiesUpdate"]["errors"] == [], order
public = gql["pydev"].execute('{ user(username: "pyfan") { userAchievements(includeHidden: true) { nodes { id } } } }')
assert [n["id"] for n in public["user"]["userAchievements"]["nodes"]] == [ids[2]], public
mine = fan.execute('{ currentUser { userAchievements(includeHidden: true) { nodes { id priority showOnProfile } } } }')
assert [n["id"] for n in mine["currentUser"]["userAchievements"]["nodes"]] == [ids[2], ids[1]], mine

print("scenario ok")
