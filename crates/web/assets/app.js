// Starts GOV.UK Frontend's components. Loaded as a module, so it runs only in browsers that
// support modules; every page works without it.
import { initAll } from '/assets/govuk-frontend.min.js'
document.body.classList.add('govuk-frontend-supported')
initAll()
