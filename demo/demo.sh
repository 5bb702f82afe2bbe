#!/usr/bin/env bash
# The demo: a fresh station database replays the seed's 典型事例一 and 二 (../shared/seed) end to end, then the
# supervisor's overdue audit, the integrity check, a typical-case write-up and the annual report.
# Usage: demo/demo.sh path/to/minsheng   (make demo builds it and runs this)
set -euo pipefail
BIN=$(realpath "${1:?usage: demo.sh path/to/minsheng}")
OUT=${DEMO_OUT:-demo-out}
mkdir -p "$OUT"
rm -f "$OUT"/station.db "$OUT"/station.db-wal "$OUT"/station.db-shm
export MINSHENG_DB="$OUT/station.db"
# The 2023 story is told as of a fixed day, so the run reads the same whatever day it is run on.
export MINSHENG_TODAY=2023-10-09
HERE=$(dirname "$(realpath "$0")")

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Shows each command as a coordinator would type it, then runs it.
ms() { printf '$ minsheng %s\n' "$*"; "$BIN" "$@"; }
# A command the rules must refuse: shows the refusal and its exit code.
refused() {
  printf '$ minsheng %s\n' "$*"
  set +e; "$BIN" "$@"; rc=$?; set -e
  printf '  → exit %d (refused as it should be)\n' "$rc"
  [ "$rc" -ne 0 ] || { echo "demo: expected a refusal" >&2; exit 1; }
}
id_of() { "$BIN" --json "$@" | sed -E 's/.*"id":"([^"]+)".*/\1/'; }

step "建站：戎苑社区民生工作站 (init, staff)"
ms --as 刘督办 init
ms --as 刘督办 staff add 王协调 --role 协调员 --department 戎苑社区
ms --as 刘督办 staff add 陈协调 --role 协调员 --department 戎苑社区
ms workflow list

export MINSHENG_ACTOR=王协调
step "典型事例一（上）：海福巷3号下水道堵塞，群众多次反映"
DRAIN=$(id_of case open --category 排水 --address 海福巷3号 --reporter 张桂芳 --phone 13851234567 --channel 来电 \
  --summary "下水道堵塞，导致楼前平台污水满溢，无法正常行走" --at 2023-06-05T09:10)
echo "case $DRAIN"
ms case open --category 排水 --address "海福巷 ３ 号" --reporter 李秀英 --channel 来访 \
  --summary "楼前平台又满溢了，之前修过几次都没修好" --at 2023-06-06T15:30
ms case open --category 排水 --address 海福巷3号 --reporter 网格员赵敏 --channel 网格员 \
  --summary "平台污水满溢，老人出行有摔倒隐患" --at 2023-06-07T08:45
ms case do "$DRAIN" 备注 --note "独栋老旧居民楼，无物业；老年人居多；此前多次维修未彻底解决" \
  --set no_property=yes --set elderly=yes --set repeated_repairs=yes --at 2023-06-07T09:00
ms case do "$DRAIN" 派单 --department 街道城管科 --note "请城管科会同社区现场查找满溢原因" --at 2023-06-07T09:30
ms case do "$DRAIN" 部门签收 --department 街道城管科 --at 2023-06-07T14:00
ms case do "$DRAIN" 现场勘查 --set finding="楼前平台下排水管与化粪池接口处塌陷错位，污水倒灌" --at 2023-06-09T10:00
ms case do "$DRAIN" 部门回复 --department 街道城管科 --note "开挖平台，更换塌陷排水管并重新接入市政管网，清掏化粪池" \
  --at 2023-06-26T16:00
refused case do "$DRAIN" 办理完毕 --note "已修复" --at 2023-06-27T10:00
ms case do "$DRAIN" 办理完毕 --set root_cause="排水管与化粪池接口塌陷错位，以往只疏通不换管，故反复满溢" \
  --note "更换塌陷排水管并重新接入市政管网" --at 2023-06-27T10:00
ms case do "$DRAIN" 回访 --set satisfied=满意 --note "回访张某等三户居民，平台干爽，居民满意" --at 2023-06-30T15:00

step "典型事例一（下）：海福巷3号必经之路坑洼积水"
ROAD=$(id_of case open --category 道路 --address 海福巷3号 --reporter 李秀英 --channel 来访 \
  --summary "楼前一段10几米长的必经之路路面坑洼、高低不平，下雨极易积水，出行困难" --at 2023-07-03T10:00)
echo "case $ROAD"
ms case do "$ROAD" 派单 --department 市政部门 --at 2023-07-03T14:00
ms case do "$ROAD" 挂起 --note "连续降雨，无法施工" --at 2023-07-10T09:00
ms case do "$ROAD" 恢复办理 --at 2023-07-13T09:00
ms case do "$ROAD" 部门回复 --department 市政部门 --note "路面整段铣刨重铺并加设排水坡度" --at 2023-07-26T17:00
ms case do "$ROAD" 办理完毕 --set root_cause="路基沉降、路面无排水坡度" --note "将路面重铺" --at 2023-07-27T09:00
ms case do "$ROAD" 回访 --set satisfied=满意 --note "居民出行难问题解决" --at 2023-07-31T10:00

step "典型事例二：宋长松家低保申请，人户分离，特事特办"
DIBAO=$(id_of case open --category 低保 --address 海福巷71号 --reporter 宋长松 --phone 13912345678 --channel 来访 \
  --summary "年纪大、无业，独子智力低下无法就业，申请低保；因申请廉租房搬迁至新居，户籍仍在我社区" --at 2023-08-01T09:00)
echo "case $DIBAO"
ms case do "$DIBAO" 派单 --department 社区民政 --set hukou_elsewhere=yes --at 2023-08-01T10:00
ms case do "$DIBAO" 多部门协调 --note "与现住地街道、社区及派出所户籍多方协调；本人因个人原因无法将户口迁入现住地" \
  --at 2023-08-10T10:00
ms case do "$DIBAO" 派单 --department 街道民政科 --department 派出所户籍 --at 2023-08-10T11:00
refused case do "$DIBAO" 办理完毕 --set root_cause="人户分离，户籍地与居住地不一致" --at 2023-08-15T10:00
refused case do "$DIBAO" 特事特办审批 --note "家庭确实困难" --at 2023-08-15T10:05
MINSHENG_ACTOR=刘督办 ms case do "$DIBAO" 特事特办审批 \
  --note "经多街道、多社区、多部门协调，家庭确实困难，特事特办，允许在户籍原社区申请低保" --at 2023-08-16T09:00
ms case do "$DIBAO" 办理完毕 --set root_cause="人户分离，户口无法迁入现住地，按常规无法申请" \
  --note "特事特办，允许宋长松在我社区申请低保，材料已报送审核" --at 2023-08-18T16:00

step "一件被拖延的案件：环境卫生（用于督办审计）"
LATE=$(id_of case open --category 环境卫生 --address 海福巷3号二楼平台 --reporter 周阿姨 --channel 来电 \
  --summary "二楼平台、楼梯走道堆满垃圾杂物，无人清理" --at 2023-08-21T09:00)
ms case do "$LATE" 派单 --department 街道环卫所 --at 2023-08-21T11:00
MINSHENG_ACTOR=刘督办 ms --today 2023-09-25 case do "$LATE" 催办 --note "超期未办结，催办环卫所" --at 2023-09-25T09:00

step "查找：居民再来电时，按电话或姓名找到她以前的案件；下一步能做什么"
ms case list --phone "138 5123 4567"
ms case list --search 海福巷3号
ms case list --reporter 宋长松
ms case history "$DRAIN"
ms --today 2023-09-25 case do "$LATE"

step "更正与并案：录错的办结撤销，重复的案件并案（correct, revoke, merge）"
# 繁体、中文数字、全角数字写的同一地址仍是同一案件；地址相近的另一案件在受理时给出提醒。
PIPE=$(id_of case open --category drainage --address 海福巷17號 --reporter 吴大爷 --channel 来电 \
  --summary "楼前雨水井盖破损" --at 2023-09-04T09:00)
ms case open --category drainage --address 海福巷十七号 --reporter 吴大妈 --channel 来访 \
  --summary "雨水井盖缺了一块，晚上看不见" --at 2023-09-04T15:00
DUP=$(id_of case open --category drainage --address 海福巷17号楼 --reporter 孙先生 --channel 12345 \
  --summary "井盖破损，小孩差点踩空" --at 2023-09-05T09:00)
ms case do "$DUP" merge --into "$PIPE" --note "同一处雨水井盖，并案办理" --at 2023-09-05T10:00
ms case do "$PIPE" dispatch --department 市政部门 --at 2023-09-05T11:00
# 协调员把另一案件的办结误录在本案上，督办撤销；统计里它不算办结。
ms case do "$PIPE" resolve --set root_cause="井盖老化破损" --note "已更换井盖" --at 2023-09-06T10:00
MINSHENG_ACTOR=刘督办 ms case do "$PIPE" revoke --note "办结录错了案件（应为海福巷71号）" --at 2023-09-06T11:00
ms case do "$PIPE" correct --set summary="楼前雨水井盖破损，夜间有踩空危险" --note "合并三位居民所述" \
  --at 2023-09-06T11:10
ms case show "$PIPE"

step "督办：截至 2023-09-28 的超期案件（国庆、中秋前）"
ms audit overdue --as-of 2023-09-28
ms --today 2023-09-28 case show "$DRAIN"

step "完整性校验（哈希链）"
ms audit verify

if "$BIN" report --help >/dev/null 2>&1; then
  step "典型事例与年度统计"
  MINSHENG_ACTOR=刘督办 ms case do "$DRAIN" 列为典型事例 --at 2023-09-28T10:00
  MINSHENG_ACTOR=刘督办 ms case do "$DIBAO" 列为典型事例 --at 2023-09-28T10:00
  ms report typical "$DRAIN" "$DIBAO"
  ms --today 2024-01-05 report annual --year 2023 --format html --out "$OUT/annual-2023.html"
  ms --today 2024-01-05 report annual --year 2023 --format md --out "$OUT/annual-2023.md"
  echo "annual report: $OUT/annual-2023.html, $OUT/annual-2023.md"
fi
step "年末：2027 年的放假通知还没有发布"
# 2026-12-15: 20 working days from today end in January 2027, a year the shipped calendar (2023-2026) lacks.
# The report is logged all the same; its deadline is unknown, and a list that cannot be decided is refused.
export MINSHENG_TODAY=2026-12-15
WINTER=$(id_of case open --category 道路 --address 戎苑路12号 --reporter 周阿姨 --phone 13770001234 --channel 来电 \
  --summary "路面冻胀开裂，积水结冰，老人出行易滑倒" --at 2026-12-15T09:30)
echo "case $WINTER"
refused case list --category 道路
# The supervisor makes 2027 provisional: weekends, the statutory holidays and their 补假, no 调休.
MINSHENG_ACTOR=刘督办 ms calendar provisional 2027
ms case list --category 道路
ms case do "$WINTER" 派单 --department 市政部门 --at 2026-12-15T14:00
MINSHENG_TODAY=2027-01-08 ms case do "$WINTER" 挂起 --note "冬季低温，沥青无法施工" --at 2027-01-08T09:00
MINSHENG_TODAY=2027-02-03 ms case do "$WINTER" 恢复办理 --at 2027-02-03T09:00
MINSHENG_TODAY=2027-02-03 ms case show "$WINTER"

step "国务院办公厅通知发布后：载入，暂定的期限随之重算"
# demo/example-notice-2027.yaml is a made-up EXAMPLE in the notice's format, not the official 2027 notice.
MINSHENG_TODAY=2027-02-03 MINSHENG_ACTOR=刘督办 ms calendar load "$HERE/example-notice-2027.yaml"
MINSHENG_TODAY=2027-02-03 ms case show "$WINTER"
ms calendar list
ms audit verify

step "浏览器工作台：演示账号的密码"
# Demo passwords only: a real station's staff choose their own (`staff passwd NAME`, typed twice).
printf '%s\n' 'liu-demo-2026' | MINSHENG_ACTOR=刘督办 ms staff passwd 刘督办 --password-stdin
printf '%s\n' 'wang-demo-2026' | MINSHENG_ACTOR=刘督办 ms staff passwd 王协调 --password-stdin

step "done: database $MINSHENG_DB"
echo "在浏览器中打开演示工作站："
echo "  $BIN --db $MINSHENG_DB serve     然后打开 http://127.0.0.1:8311/"
echo "  演示账号：刘督办（督办）密码 liu-demo-2026；王协调（协调员）密码 wang-demo-2026"
