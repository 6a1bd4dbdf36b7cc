// Progressive enhancement for GOV.UK Frontend components. Loaded as a
// module from a static file so the strict Content Security Policy needs no
// inline script. Browsers without ES module support never run it and keep the
// plain, fully working HTML.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
