// The web workspace in a real browser (SPEC Part 2; issue 18): Debian's chromium driven by playwright-core
// (no browser download). A fresh station, `minsheng serve` on a free port, then by clicks: sign in, 登记 twice
// at one address (the second joins as 重复反映), 案件详情, 派单, 办理完毕 refused without a root cause (the
// rule's sentence shown, without the command line's flags or ids), then accepted with one; 登记's preview of
// the case a report would join and of similar addresses, before saving; a summary holding HTML shown as text,
// nothing executed; a coordinator sees no 督办台 or 人员 and gets 403 from their API; 人员: a supervisor adds a
// member and sets the password they then sign in with; the calendar banner on a server whose today is 46
// days before the last loaded year ends, for each role. A screenshot of each screen is kept in SHOTS.
// Usage: node workspace.mjs MINSHENG_BIN SHOTS_DIR
import { chromium } from 'playwright-core'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import net from 'node:net'
import assert from 'node:assert/strict'

const [bin, shots] = process.argv.slice(2)
if (!bin || !shots) {
  console.error('usage: node workspace.mjs MINSHENG_BIN SHOTS_DIR')
  process.exit(2)
}
mkdirSync(shots, { recursive: true })
for (const f of readdirSync(shots)) if (f.endsWith('.png')) rmSync(join(shots, f)) // this run's screens only
const dir = mkdtempSync(join(tmpdir(), 'minsheng-web-'))
const db = join(dir, 'station.db')
const env = { ...process.env, MINSHENG_TODAY: '2026-06-30' }
delete env.MINSHENG_DB
delete env.MINSHENG_ACTOR

function ms(args, input) {
  const r = spawnSync(bin, ['--db', db, ...args], { env, input, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`minsheng ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

ms(['--as', '督办甲', 'init'])
ms(['--as', '督办甲', 'staff', 'add', '王协调', '--role', 'coordinator'])
ms(['--as', '督办甲', 'staff', 'passwd', '王协调', '--password-stdin'], '协调员密码5678\n')
ms(['--as', '督办甲', 'staff', 'passwd', '督办甲', '--password-stdin'], '督办的密码1234\n')
// A case the coordinator opened and dispatched on the command line in May: overdue on 2026-06-30.
const overdueId = ms(['--as', '王协调', 'case', 'open', '--category', '排水', '--address', '和平路5号', '--summary', '雨水井堵塞', '--reporter', '周大妈', '--phone', '13300005555', '--at', '2026-05-06T09:00']).trim().split(/\s+/)[0]
ms(['--as', '王协调', 'case', 'do', overdueId, 'dispatch', '--department', '街道城管科', '--at', '2026-05-06T10:00'])

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/`)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

const port = await freePort()
const server = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] })
let late = null // the second server, for the calendar banner
let serverLog = ''
server.stderr.on('data', (d) => (serverLog += d))
const base = `http://127.0.0.1:${port}`
await waitFor(base)

let failed = false
let browser = null
try {
  // A fresh profile in the temporary folder (Playwright takes it as the persistent context's directory).
  browser = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  locale: 'zh-CN',
  viewport: { width: 1280, height: 900 },
  timeout: 60000,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
  })
  const page = await browser.newPage()
  page.setDefaultTimeout(15000)
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('dialog', (d) => {
    pageErrors.push(`unexpected dialog: ${d.message()}`)
    d.dismiss()
  })

  // No English word or id in the visible text of any screen: only the names of file formats a user picks
  // (the command line's check allows the words a user types; the workspace has none to type).
  // Names of products and file formats a user picks (Excel, WPS, “CSV UTF-8”, the chosen file's .csv).
  // The words of the summary a user typed (the HTML shown as text) are the user's, not the workspace's.
  // A command the banner gives a supervisor to type on the station's machine is shown as a command (the
  // command line's check allows the words a user types too) and left out here.
  const allowed = new Set(['Excel', 'WPS', 'UTF', 'xlsx', 'csv', 'CSV', 'Word', 'Markdown', 'img', 'src', 'onerror', 'window', 'pwned'])
  async function chinese(screen) {
    const text = await page.evaluate(() => {
      let t = document.body.innerText
      for (const e of document.querySelectorAll('[data-test=command]')) t = t.replace(e.innerText, '')
      return t
    })
    const words = (text.match(/[A-Za-z][A-Za-z_]+/g) || []).filter((w) => !allowed.has(w))
    assert.deepEqual(words, [], `English or an id on ${screen}`)
  }
  async function shot(name, full = false) {
    await chinese(name)
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: full })
  }
  const dialog = () => page.getByRole('dialog')
  async function doAction(label) {
    await page.locator('[data-test=actions]').getByRole('button', { name: label, exact: true }).click()
    await dialog().waitFor()
  }
  async function confirm() {
    await dialog().getByRole('button', { name: '确定' }).click()
  }
  // The form closes when the action is recorded; when it does not, the refusal it shows says why.
  async function closed() {
    try {
      await dialog().waitFor({ state: 'hidden' })
    } catch (e) {
      const why = await page.locator('[data-test=refusal]').allInnerTexts()
      throw new Error(`the form stayed open: ${why.join(' ') || '(no refusal shown)'}; ${e.message}`)
    }
  }
  async function signIn(name, password) {
    await page.locator('input[name=name]').fill(name)
    await page.locator('input[name=password]').fill(password)
    await page.getByRole('button', { name: '登录' }).click()
    await page.getByRole('heading', { name: '我的待办' }).waitFor()
  }

  // 登录
  await page.goto(`${base}/`)
  await page.getByText('登录民生工作站').waitFor()
  await shot('01-登录')
  await page.locator('input[name=name]').fill('王协调')
  await page.locator('input[name=password]').fill('不对的密码')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByText('姓名或密码不正确').waitFor()
  await signIn('王协调', '协调员密码5678')
  assert.equal(await page.getByText('督办台').count(), 0, 'a coordinator sees no 督办台')
  assert.equal(await page.getByRole('menuitem', { name: '人员' }).count(), 0, 'a coordinator sees no 人员')
  // 我的待办: the overdue case this coordinator opened (on the command line) is red.
  await page.locator('[data-test=todo-running] .row-overdue').getByText(overdueId).waitFor()
  await shot('02-我的待办')

  // 登记 three times at one address: the second and third join the first as repeat reports.
  async function intake(reporter, phone, summary, joins) {
    await page.getByRole('menuitem', { name: '登记' }).click()
    await page.getByRole('heading', { name: '登记' }).waitFor()
    await page.locator('[data-test=category]').click()
    await page.locator('.el-select-dropdown__item', { hasText: '排水/下水道' }).click()
    await page.locator('input[name=address]').fill('海福巷3号')
    // Before saving, the preview names the open case the report will join.
    if (joins) await page.locator('[data-test=preview-repeat]').getByText(joins).waitFor()
    await page.locator('textarea[name=summary]').fill(summary)
    await page.locator('input[name=reporter]').fill(reporter)
    await page.locator('input[name=phone]').fill(phone)
    await page.getByRole('button', { name: '保存' }).click()
    await page.locator('[data-test=intake-result]').waitFor()
    return (await page.locator('[data-test=intake-result] a').first().textContent()).trim()
  }
  const xss = '<img src=x onerror="window.__pwned=1">下水道堵塞，污水漫到人行道'
  const id = await intake('宋长松', '13812341234', xss)
  assert.equal(await intake('李大姐', '13900001111', '下水道又堵了', id), id, 'the second report joins the open case')
  assert.equal(await intake('王大爷', '13700002222', '污水漫到门口', id), id, 'the third report joins it too')
  await page.getByText('重复反映：已并入未办结的同址案件').waitFor()
  await shot('03-登记')
  // Typed under another category, or at a similar address: nothing to join, the cases named as similar.
  await page.locator('[data-test=category]').click()
  await page.locator('.el-select-dropdown__item', { hasText: '道路' }).first().click()
  await page.locator('input[name=address]').fill('海福巷３號楼')
  await page.locator('[data-test=preview-similar]').getByText(id).waitFor()
  assert.equal(await page.locator('[data-test=preview-repeat]').count(), 0, 'nothing to join in another category')
  await shot('03-登记-相近地址')

  // 案件详情: the summary as text, nothing executed; no supervisor's button for a coordinator.
  await page.locator('[data-test=intake-result] a').first().click()
  await page.getByRole('heading', { name: `案件 ${id}` }).waitFor()
  await page.getByText(xss).first().waitFor()
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing in a summary is executed')
  assert.equal(await page.locator('[data-test=actions]').getByRole('button', { name: '列为典型事例' }).count(), 0)
  assert.equal(await page.locator('[data-test=actions]').getByRole('button', { name: '催办/督办/通报' }).count(), 0)

  // 派单 to 街道城管科
  await doAction('派单/转办')
  await page.locator('[data-test=departments]').click()
  await page.locator('.el-select-dropdown__item', { hasText: '街道城管科' }).click()
  await confirm()
  await closed()
  await page.locator('[data-test=facts]').getByText('办理', { exact: true }).first().waitFor()

  // 办理完毕 without a root cause: refused with the rule's sentence (repeat reports); then with one.
  await doAction('办理完毕')
  await confirm()
  await page.locator('[data-test=refusal]').getByText('根本原因', { exact: false }).waitFor()
  // The rule's sentence alone: no flag to type, no action or field id.
  const refusal = await page.locator('[data-test=refusal]').innerText()
  assert.ok(!refusal.includes('--'), `a refusal without command-line flags: ${refusal}`)
  assert.ok(!/[A-Za-z]/.test(refusal), `a refusal without ids: ${refusal}`)
  await shot('04-案件详情-拒绝')
  await page.locator('input[name=field-root_cause]').fill('化粪池满溢，主管道堵塞')
  await confirm()
  await closed()
  await page.locator('[data-test=facts]').getByText('待回访', { exact: true }).first().waitFor()

  // 我的待办 lists it for 回访 with the residents' phones.
  await page.getByRole('menuitem', { name: '我的待办' }).click()
  await page.locator('[data-test=todo-visits]').getByText('13812341234').waitFor()
  await page.locator('[data-test=todo-visits]').getByText(id).click()
  await page.getByRole('heading', { name: `案件 ${id}` }).waitFor()

  // 回访: 满意 → 办结.
  await doAction('回访')
  await dialog().getByText('满意', { exact: true }).click()
  await confirm()
  await closed()
  await page.locator('[data-test=facts]').getByText('办结', { exact: true }).first().waitFor()
  await page.locator('[data-test=history]').getByText('王协调').first().waitFor()
  await shot('05-案件详情', true)

  // 打印: the case sheet in a new tab.
  const [sheet] = await Promise.all([page.waitForEvent('popup'), page.locator('[data-test=print]').click()])
  await sheet.getByText('承办人').first().waitFor()
  await sheet.getByText('海福巷3号').first().waitFor()
  await sheet.screenshot({ path: join(shots, '06-打印.png'), fullPage: true })
  await sheet.close()

  // 案件: found by a repeat reporter's phone; the export links.
  await page.getByRole('menuitem', { name: '案件' }).click()
  await page.getByRole('heading', { name: '案件' }).waitFor()
  await page.locator('input[name=search]').fill('13700002222')
  await page.getByRole('button', { name: '查询' }).click()
  await page.getByText(overdueId).waitFor({ state: 'detached' }) // the search narrows the list
  await page.getByText(id).first().waitFor()
  assert.equal(await page.locator('[data-test=export-xlsx]').getAttribute('href'), '/api/export?format=xlsx')
  await shot('07-案件')

  // 台账: the dry run's plan first, then the import.
  await page.getByRole('menuitem', { name: '台账' }).click()
  await page.getByRole('heading', { name: '台账' }).waitFor()
  // A column the station does not know: the web says what a browser user does (tick the box), never the
  // command line's flag; ticked, the dry run goes through.
  const extra = '受理时间,类别,地址,问题描述,颜色\n2026-06-28 09:00,排水,和平路5号,雨水井还是堵,红\n'
  await page.locator('[data-test=ledger-file]').setInputFiles({ name: '多一列.csv', mimeType: 'text/csv', buffer: Buffer.from(extra) })
  await page.locator('[data-test=dry-run]').click()
  const ledgerRefusal = await page.locator('[data-test=ledger-error]').textContent()
  assert.match(ledgerRefusal, /颜色/)
  assert.match(ledgerRefusal, /勾选“忽略不认识的列”/)
  assert.doesNotMatch(ledgerRefusal, /--/)
  await page.locator('[data-test=ignore-unknown]').click()
  await page.locator('[data-test=dry-run]').click()
  await page.locator('[data-test=plan]').waitFor()
  await page.locator('[data-test=ignore-unknown]').click()
  const ledger = '受理时间,类别,地址,问题描述,反映人,联系电话\n2026-06-28 09:00,排水,和平路5号,雨水井还是堵,赵六,13600003333\n2026/06/29,道路,和平路12号,路面塌陷,钱七,13500004444\n'
  await page.locator('[data-test=ledger-file]').setInputFiles({ name: '台账.csv', mimeType: 'text/csv', buffer: Buffer.from(ledger) })
  await page.locator('[data-test=dry-run]').click()
  await page.locator('[data-test=plan]').getByText('新立案件 1 件，重复反映 1 次').waitFor()
  await page.locator('[data-test=plan]').getByText('新立案件', { exact: true }).waitFor()
  await shot('08-台账-试导入')
  await page.locator('[data-test=import]').click()
  await page.locator('[data-test=imported]').waitFor()
  await shot('09-台账')

  // The coordinator's direct calls to a supervisor's action and to the desk are refused (403); the desk's
  // address sends them back to 我的待办.
  const statuses = await page.evaluate(async (caseId) => {
    const me = await (await fetch('/api/me')).json()
    const r = await fetch(`/api/cases/${caseId}/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify({ action: 'mark-typical' }),
    })
    const desk = await fetch('/api/desk/departments')
    const staff = await fetch('/api/staff')
    const add = await fetch('/api/staff', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify({ name: '冒名者', role: 'supervisor' }),
    })
    return [r.status, desk.status, staff.status, add.status]
  }, id)
  assert.deepEqual(statuses, [403, 403, 403, 403])
  await page.goto(`${base}/#/supervise`)
  await page.getByRole('heading', { name: '我的待办' }).waitFor()

  // 退出登录, then the supervisor: 督办台, escalating the overdue case from its row.
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByText('登录民生工作站').waitFor()
  await signIn('督办甲', '督办的密码1234')
  await page.getByRole('menuitem', { name: '督办台' }).click()
  await page.getByRole('heading', { name: '督办台' }).waitFor()
  await page.locator('[data-test=verify]').getByText('完整').waitFor()
  await page.locator('[data-test=departments]').getByText('街道城管科').waitFor()
  const row = page.locator('[data-test=overdue] .el-table__row', { hasText: overdueId })
  await row.waitFor()
  await shot('10-督办台', true)
  await row.locator('[data-test=desk-escalate]').click()
  await page.getByRole('heading', { name: `案件 ${overdueId}` }).waitFor()
  await dialog().waitFor()
  await page.locator('textarea[name=note]').fill('超期未办，请街道城管科三日内办结')
  await confirm()
  await closed()
  await page.locator('[data-test=facts]').getByText('催办').waitFor()
  await shot('11-督办升级')

  // The story's case marked typical; 报告 writes it up (masked) and downloads it.
  await page.goto(`${base}/#/cases/${id}`)
  await page.getByRole('heading', { name: `案件 ${id}` }).waitFor()
  await doAction('列为典型事例')
  await confirm()
  await closed()
  await page.getByRole('menuitem', { name: '报告' }).click()
  await page.getByRole('heading', { name: '报告' }).waitFor()
  await page.locator('[data-test=typical]').getByText(id).waitFor()
  await page.locator('[data-test=typical] .el-table__row', { hasText: id }).locator('.el-checkbox').click()
  const md = await page.locator('[data-test=typical-md]').getAttribute('href')
  const writeUp = await page.evaluate(async (u) => {
    const r = await fetch(u)
    return { status: r.status, text: await r.text(), disposition: r.headers.get('Content-Disposition') }
  }, md)
  assert.equal(writeUp.status, 200)
  assert.ok(writeUp.text.includes('海福巷'), 'the write-up names the place')
  assert.ok(writeUp.text.includes('化粪池满溢'), 'the write-up gives the root cause')
  assert.ok(!writeUp.text.includes('13812341234'), 'phones are masked in a write-up')
  assert.ok(writeUp.disposition.includes("filename*=UTF-8''"), 'a Chinese-safe file name')
  await page.locator('[data-test=annual]').waitFor()
  await shot('12-报告', true)

  // 人员: the supervisor adds a coordinator and sets the password they then sign in with.
  await page.getByRole('menuitem', { name: '人员' }).click()
  await page.getByRole('heading', { name: '人员' }).waitFor()
  await page.locator('[data-test=staff]').getByText('王协调').waitFor()
  await page.locator('input[name=staff-name]').fill('李新人')
  await page.locator('[data-test=staff-role]').click()
  await page.locator('.el-select-dropdown__item', { hasText: '协调员' }).click()
  await page.locator('input[name=staff-department]').fill('网格一组')
  await page.locator('[data-test=staff-add]').click()
  await page.locator('[data-test=staff-done]').getByText('已登记 李新人').waitFor()
  const newRow = page.locator('[data-test=staff] .el-table__row', { hasText: '李新人' })
  await newRow.getByText('未设置，不能登录').waitFor()
  await newRow.locator('[data-test=set-password]').click()
  await dialog().waitFor()
  await page.locator('input[name=new-password]').fill('新人的密码2026')
  await page.locator('input[name=new-password-again]').fill('新人的密码2026')
  await confirm()
  await closed()
  await newRow.getByText('已设置').waitFor()
  await shot('13-人员')
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByText('登录民生工作站').waitFor()
  await signIn('李新人', '新人的密码2026')
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByText('登录民生工作站').waitFor()

  // The calendar banner: a server whose today (2026-11-15) lies within 60 days of the end of the last loaded
  // year. The supervisor is given the commands; the coordinator is told to ask the supervisor.
  const port2 = await freePort()
  late = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port2}`], {
    env: { ...env, MINSHENG_TODAY: '2026-11-15' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  late.stderr.on('data', (d) => (serverLog += d))
  await waitFor(`http://127.0.0.1:${port2}`)
  await page.goto(`http://127.0.0.1:${port2}/`)
  await page.getByText('登录民生工作站').waitFor()
  await signIn('督办甲', '督办的密码1234')
  const banner = page.locator('[data-test=calendar-banner]')
  await banner.getByText('2027 年的放假安排尚未载入').waitFor()
  await banner.locator('[data-test=command]', { hasText: 'minsheng calendar provisional 2027' }).waitFor()
  await shot('14-日历提醒-督办')
  await page.getByRole('menuitem', { name: '案件' }).click()
  await page.getByRole('heading', { name: '案件' }).waitFor()
  await banner.waitFor() // on every screen
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByText('登录民生工作站').waitFor()
  await signIn('王协调', '协调员密码5678')
  await banner.getByText('请联系督办').waitFor()
  assert.equal(await banner.locator('[data-test=command]').count(), 0, 'no command for a coordinator')
  await shot('15-日历提醒-协调员')
  assert.deepEqual(pageErrors, [], 'no script error on any screen')
  console.log(`ok: 海福巷3号 by clicks (3 reports, 2 repeats foreseen by the preview, refusal, 办结, 打印, typical write-up) on ${id}; 台账 import; 403s; 督办台 escalation of ${overdueId}; 人员; calendar banner; screenshots in ${shots}`)
} catch (e) {
  failed = true
  console.error(e)
  console.error('server log:\n' + serverLog)
} finally {
  if (browser) await browser.close()
  for (const s of [server, late].filter(Boolean)) {
    s.kill('SIGTERM')
    await new Promise((r) => s.on('exit', r))
  }
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
