import { createRouter, createWebHashHistory } from 'vue-router'
import Login from './views/Login.vue'
import Todo from './views/Todo.vue'
import Intake from './views/Intake.vue'
import Cases from './views/Cases.vue'
import CaseDetail from './views/CaseDetail.vue'
import Supervise from './views/Supervise.vue'
import Ledger from './views/Ledger.vue'
import Reports from './views/Reports.vue'
import Staff from './views/Staff.vue'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: '/todo' },
    { path: '/login', component: Login, meta: { title: '登录' } },
    { path: '/todo', component: Todo, meta: { title: '我的待办' } },
    { path: '/intake', component: Intake, meta: { title: '登记' } },
    { path: '/cases', component: Cases, meta: { title: '案件' } },
    { path: '/cases/:id', component: CaseDetail, meta: { title: '案件详情' } },
    { path: '/supervise', component: Supervise, meta: { title: '督办台', supervisor: true } },
    { path: '/ledger', component: Ledger, meta: { title: '台账' } },
    { path: '/reports', component: Reports, meta: { title: '报告' } },
    { path: '/staff', component: Staff, meta: { title: '人员', supervisor: true } },
  ],
})
