// The web workspace in a real browser (SPEC Part 2; issue 18): Debian's chromium driven by playwright-core
// (no browser download). A fresh station, `minsheng serve` on a free port, then by clicks: sign in, 登记 twice
// at one address (the second joins as 重复反映), 案件详情, 派单, 办理完毕 refused without a root cause (the
// rule's sentence shown), then accepted with one; a summary holding HTML shown as text, nothing executed; a
// coordinator sees no 督办台. A screenshot of each screen is kept in SHOTS.
// Usage: node workspace.mjs MINSHENG_BIN SHOTS_DIR
import { chromium } from 'playwright-core'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs'
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

const port = await freePort()
const server = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] })
let serverLog = ''
server.stderr.on('data', (d) => (serverLog += d))
const base = `http://127.0.0.1:${port}`
for (let i = 0; i < 100; i++) {
  try {
    await fetch(`${base}/`)
    break
  } catch {
    await new Promise((r) => setTimeout(r, 100))
  }
}

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

  // 登录
  await page.goto(`${base}/`)
  await page.getByText('登录民生工作站').waitFor()
  await page.screenshot({ path: join(shots, '01-登录.png') })
  await page.locator('input[name=name]').fill('王协调')
  await page.locator('input[name=password]').fill('不对的密码')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByText('姓名或密码不正确').waitFor()
  await page.locator('input[name=password]').fill('协调员密码5678')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('heading', { name: '我的待办' }).waitFor()
  assert.equal(await page.getByText('督办台').count(), 0, 'a coordinator sees no 督办台')
  await page.screenshot({ path: join(shots, '02-我的待办.png') })

  // 登记 twice at one address: the second joins the first as a repeat report.
  async function intake(reporter, summary) {
    await page.getByRole('menuitem', { name: '登记' }).click()
    await page.getByRole('heading', { name: '登记' }).waitFor()
    await page.locator('[data-test=category]').click()
    await page.locator('.el-select-dropdown__item', { hasText: '排水/下水道' }).click()
    await page.locator('input[name=address]').fill('海福巷3号')
    await page.locator('textarea[name=summary]').fill(summary)
    await page.locator('input[name=reporter]').fill(reporter)
    await page.locator('input[name=phone]').fill('13812341234')
    await page.getByRole('button', { name: '保存' }).click()
    await page.locator('[data-test=intake-result]').waitFor()
    return (await page.locator('[data-test=intake-result] a').first().textContent()).trim()
  }
  const xss = '<img src=x onerror="window.__pwned=1">下水道堵塞，污水漫到人行道'
  const id = await intake('宋长松', xss)
  const again = await intake('李大姐', '下水道又堵了')
  assert.equal(again, id, 'the second report joins the open case')
  await page.getByText('重复反映：已并入未办结的同址案件').waitFor()
  await page.screenshot({ path: join(shots, '03-登记.png') })

  // 案件详情
  await page.locator('[data-test=intake-result] a').first().click()
  await page.getByRole('heading', { name: `案件 ${id}` }).waitFor()
  await page.getByText(xss).first().waitFor() // the summary as text
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'nothing in a summary is executed')

  // 派单 to 街道城管科
  await page.locator('[data-test=actions]').getByRole('button', { name: '派单/转办' }).click()
  await page.locator('[data-test=departments]').click()
  await page.locator('.el-select-dropdown__item', { hasText: '街道城管科' }).click()
  await page.getByRole('dialog').getByRole('button', { name: '确定' }).click()
  await page.getByRole('dialog').waitFor({ state: 'hidden' })
  await page.locator('[data-test=facts]').getByText('办理', { exact: true }).first().waitFor()

  // 办理完毕 without a root cause: refused with the rule's sentence; then with one.
  await page.locator('[data-test=actions]').getByRole('button', { name: '办理完毕' }).click()
  await page.getByRole('dialog').getByRole('button', { name: '确定' }).click()
  await page.locator('[data-test=refusal]').getByText('根本原因', { exact: false }).waitFor()
  await page.screenshot({ path: join(shots, '04-案件详情-拒绝.png') })
  await page.locator('input[name=field-root_cause]').fill('化粪池满溢，主管道堵塞')
  await page.getByRole('dialog').getByRole('button', { name: '确定' }).click()
  await page.getByRole('dialog').waitFor({ state: 'hidden' })
  await page.locator('[data-test=facts]').getByText('待回访', { exact: true }).first().waitFor()
  await page.locator('[data-test=history]').getByText('王协调').first().waitFor()
  await page.screenshot({ path: join(shots, '05-案件详情.png'), fullPage: true })

  // 案件
  await page.getByRole('menuitem', { name: '案件' }).click()
  await page.getByRole('heading', { name: '案件' }).waitFor()
  await page.getByText(id).first().waitFor()
  await page.screenshot({ path: join(shots, '06-案件.png') })

  // The coordinator's direct call to a supervisor's action is refused (403).
  const status = await page.evaluate(async (caseId) => {
    const me = await (await fetch('/api/me')).json()
    const r = await fetch(`/api/cases/${caseId}/actions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
      body: JSON.stringify({ action: 'mark-typical' }),
    })
    return r.status
  }, id)
  assert.equal(status, 403)

  // 退出登录, then the supervisor: 督办台 with the log's verify status.
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.getByText('登录民生工作站').waitFor()
  await page.locator('input[name=name]').fill('督办甲')
  await page.locator('input[name=password]').fill('督办的密码1234')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('menuitem', { name: '督办台' }).click()
  await page.getByRole('heading', { name: '督办台' }).waitFor()
  await page.locator('[data-test=verify]').getByText('完整').waitFor()
  await page.screenshot({ path: join(shots, '07-督办台.png'), fullPage: true })

  assert.deepEqual(pageErrors, [], 'no script error on any screen')
  console.log(`ok: signed in, 登记 ×2 (repeat), 派单, refusal shown, 办理完毕 on ${id}, 督办台; screenshots in ${shots}`)
} catch (e) {
  failed = true
  console.error(e)
  console.error('server log:\n' + serverLog)
} finally {
  if (browser) await browser.close()
  server.kill('SIGTERM')
  await new Promise((r) => server.on('exit', r))
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
