export { buildOrgReport, mergeOrgReports, parseOrgReport, resultsOfReport, ReportFormatError, ORG_REPORT_KIND, type OrgReport, type OrgSecret, type SecretLocation } from './build.js';
export { orgReportToSarif } from './sarif.js';
export { orgReportToHtml } from './html.js';
