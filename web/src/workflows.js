// The station's workflows, read once per page load: category names and the action forms come from here.
import { reactive } from 'vue'
import { api } from './api.js'

export const workflows = reactive({ list: [], byCategory: {}, loaded: false })

export async function loadWorkflows() {
  if (workflows.loaded) return workflows
  const list = await api('GET', '/api/workflows')
  workflows.list = list
  for (const w of list) workflows.byCategory[w.category] = w
  workflows.loaded = true
  return workflows
}

export function categoryName(id) {
  const w = workflows.byCategory[id]
  return w ? w.name : id
}
