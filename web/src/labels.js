// What people read: phases, roles, task states and the shipped workflows' field names in Chinese (ids stay
// in the API; SPEC "Speaking the station's language").
export const phaseLabels = {
  intake: '受理',
  coordination: '办理',
  follow_up: '待回访',
  closed: '办结',
  rejected: '不予受理',
  merged: '并案',
}
export const roleLabels = { coordinator: '协调员', supervisor: '督办' }
export const taskLabels = { dispatched: '已派单', signed: '已签收', returned: '已退单', replied: '已回复' }
export const escalationLabels = ['', '催办', '督办', '通报']
export const fieldLabels = {
  department: '部门',
  note: '说明',
  root_cause: '根本原因',
  satisfied: '回访结果',
  finding: '勘查发现',
  days: '延期工作日数',
  difficulties: '难点',
  elderly: '涉及老年人',
  no_property: '无物业管理',
  repeated_repairs: '曾反复维修',
  persons: '涉及人数',
  hukou_elsewhere: '人户分离',
  exception_approved: '特事特办已批准',
  address: '地址',
  summary: '问题描述',
  reporter: '反映人',
  phone: '联系电话',
  channel: '反映渠道',
  category: '类别',
}
export const choiceLabels = {
  yes: '是',
  no: '否',
  basic: '基本满意',
}
export const satisfiedLabels = { yes: '满意', basic: '基本满意', no: '不满意' }
export const actionLabels = {
  open: '登记',
  report: '重复反映',
  recompute: '期限重算',
  correct: '更正',
  revoke: '撤销',
  merge: '并案',
  'merge-in': '并案',
  'approve-exception': '批准特事特办',
  escalate: '督办升级',
  extend: '延期',
  'staff-add': '添加人员',
  'staff-passwd': '设置密码',
}
export function fieldLabel(k) {
  return fieldLabels[k] || k
}
export function choiceLabel(field, v) {
  if (field === 'satisfied') return satisfiedLabels[v] || v
  return choiceLabels[v] || v
}
