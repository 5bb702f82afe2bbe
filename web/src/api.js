// The JSON API (SPEC Part 2): the session cookie goes with every request; writes carry the CSRF token.
import { reactive } from 'vue'

export const session = reactive({ name: '', role: '', csrf: '', checked: false })

export class ApiError extends Error {
  constructor(status, message) {
    super(message)
    this.status = status
  }
}

// `body`: an object sent as JSON, or a string or the bytes of a file (ArrayBuffer) sent as they are (a CSV
// ledger).
export async function api(method, path, body) {
  const headers = {}
  const raw = typeof body === 'string' || body instanceof ArrayBuffer
  if (body !== undefined) headers['Content-Type'] = raw ? 'text/csv; charset=utf-8' : 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && session.csrf) headers['X-CSRF-Token'] = session.csrf
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    credentials: 'same-origin',
  })
  if (res.status === 204) return null
  let data = null
  try {
    data = await res.json()
  } catch {
    data = null
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/api/session') {
      session.name = ''
      session.role = ''
      session.csrf = ''
    }
    const err = new ApiError(res.status, (data && data.error) || `请求失败（${res.status}）`)
    err.data = data
    throw err
  }
  return data
}

export async function loadSession() {
  try {
    const me = await api('GET', '/api/me')
    session.name = me.name
    session.role = me.role
    session.csrf = me.csrf_token
  } catch {
    session.name = ''
  }
  session.checked = true
}

export async function signIn(name, password) {
  const r = await api('POST', '/api/session', { name, password })
  session.name = r.name
  session.role = r.role
  session.csrf = r.csrf_token
}

export async function signOut() {
  try {
    await api('DELETE', '/api/session')
  } finally {
    session.name = ''
    session.role = ''
    session.csrf = ''
  }
}
