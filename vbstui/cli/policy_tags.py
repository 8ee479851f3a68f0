"""`vbstui policy tag list|add|remove`: the tags of VBS backup policies."""

from __future__ import annotations

from typing import Any

from vbstui.cli import table
from vbstui.cli.context import Context
from vbstui.cli.output import out, progress
from vbstui.cli.policies import failed, parse_tags, policy_client
from vbstui.cloud.errors import CloudError
from vbstui.cloud.policies import PolicyClient
from vbstui.cloud.policy_models import Policy
from vbstui.cloud.policy_validation import validate_policy_tags
from vbstui.cloud.validation import ValidationFailed
from vbstui.errors import ExitCode
from vbstui.jobs import Severity
from vbstui.ops.policies import find_policy


async def cmd_policy_tag(ctx: Context) -> int:
    action = ctx.args.tag_command
    if action == "list":
        return await _tag_list(ctx)
    if action == "add":
        tags = parse_tags(ctx.args.tags)
        problems = validate_policy_tags(tags)
        if problems:
            raise ValidationFailed({"tags": problems})
    ctx.guard.check(f"{action} backup policy tags")
    client = await policy_client(ctx)
    policy, policies = await find_policy(client, ctx.args.policy)
    try:
        if action == "add":
            return await _tag_add(ctx, client, policy, tags)
        for key in ctx.args.keys:
            await client.remove_tag(policy.id, key)
            progress(f"tag {key} removed from policy {policy.name}", Severity.SUCCESS)
    except CloudError as exc:
        return failed(exc, policy, policies, what="tag change")
    if ctx.args.json:
        out({"policy": policy.id, "removed": list(ctx.args.keys)})
    return ExitCode.OK


async def _tag_add(ctx: Context, client: PolicyClient, policy: Policy,
                   tags: tuple[tuple[str, str], ...]) -> int:
    current = dict(await client.tags(policy.id))
    merged = {**current, **dict(tags)}
    problems = validate_policy_tags(list(merged.items()))
    if problems:  # e.g. an 11th tag: refused here, nothing sent
        raise ValidationFailed({"tags": problems})
    for key, value in tags:
        await client.add_tag(policy.id, key, value)
        progress(f"tag {key}={value} set on policy {policy.name}", Severity.SUCCESS)
    if ctx.args.json:
        out({"policy": policy.id, "tags": [{"key": k, "value": v} for k, v in merged.items()]})
    return ExitCode.OK


async def _tag_list(ctx: Context) -> int:
    client = await policy_client(ctx)
    if ctx.args.policy is None:
        everything = await client.allparse_tags()
        data: Any = {"tags": [{"key": t.key, "values": list(t.values)} for t in everything]}
        rows = [[t.key, ", ".join(t.values)] for t in everything]
        headers = ["KEY", "VALUES (all policies)"]
    else:
        policy, _all = await find_policy(client, ctx.args.policy)
        tags = await client.tags(policy.id)
        data = {"policy": policy.id, "tags": [{"key": k, "value": v} for k, v in tags]}
        rows = [[k, v] for k, v in tags]
        headers = ["KEY", "VALUE"]
    if ctx.args.json:
        out(data)
    else:
        print(table.render(headers, rows, max_width=80))
    return ExitCode.OK
