import { describe, expect, it } from 'vitest';
import { compileRules, scanText } from '@tokenward/engine';
import { ALL_RULES, isProviderRule } from './catalogue.js';

const providerRules = ALL_RULES.filter(isProviderRule);
const ids = new Set(ALL_RULES.map((d) => d.id));

// The families the catalogue promises (issue: "Coverage (≥ 60 families)").
const REQUIRED = [
  'github-pat-classic', 'github-oauth-token', 'github-app-user-token', 'github-app-installation-token', 'github-refresh-token', 'github-fine-grained-pat',
  'gitlab-pat-legacy', 'gitlab-pat-routable', 'gitlab-deploy-token', 'gitlab-runner-token', 'gitlab-other-token',
  'slack-bot-token', 'slack-user-token', 'slack-app-token', 'slack-config-token', 'slack-webhook-url',
  'npm-access-token', 'pypi-api-token', 'huggingface-token',
  'openai-project-key', 'openai-service-account-key', 'openai-admin-key', 'anthropic-api-key', 'anthropic-admin-key',
  'stripe-live-secret-key', 'stripe-live-restricted-key', 'shopify-access-token', 'atlassian-api-token', 'postman-api-key',
  'doppler-token', 'linear-api-key', 'digitalocean-pat', 'databricks-pat', 'grafana-service-account-token', 'grafana-cloud-token',
  'sentry-user-token', 'sentry-org-token', 'sendgrid-api-key', 'twilio-api-key', 'discord-bot-token', 'telegram-bot-token',
  'notion-integration-token', 'figma-pat', 'vercel-token', 'netlify-pat', 'supabase-management-token', 'planetscale-service-token',
  'pulumi-access-token', 'terraform-cloud-token', '1password-service-account-token', 'heroku-api-key', 'mailgun-api-key',
  'azure-devops-pat', 'azure-devops-pat-legacy', 'aws-access-key', 'google-api-key', 'cloudflare-api-token', 'buildkite-api-token',
  'crates-io-api-token', 'private-key-pem', 'private-key-openssh',
  'wise-personal-api-token', 'appcircle-personal-api-token', 'finout-api-token',
  // Issue 20 (rule catalogue): families found in peers' examples, and formats missed before.
  'azure-ad-client-secret', 'azure-storage-account-key', 'azure-sas-token', 'sidekiq-gem-credentials', 'sidekiq-gem-source-url',
  'snyk-api-token', 'sonarqube-token', 'sonarcloud-token', 'tailscale-api-access-token', 'tailscale-auth-key', 'nuget-api-key',
  'nuget-config-password', 'facebook-access-token', 'facebook-app-secret', 'sourcegraph-access-token', 'flyio-macaroon-token',
  'sumologic-access-key', 'vault-service-token', 'vault-batch-token', 'vault-recovery-token', 'terraform-password-argument',
  'docker-hub-pat', 'groq-api-key', 'hubspot-private-app-token', 'infracost-api-key', 'mailchimp-api-key', 'messagebird-api-key',
  'square-access-token', 'ethereum-private-key', 'datadog-api-key', 'newrelic-user-api-key', 'dynatrace-access-token',
  'okta-api-token', 'gcp-service-account-key', 'firebase-cloud-messaging-server-key', 'algolia-api-key',
  'asana-personal-access-token', 'bitbucket-app-password', 'confluent-api-secret', 'contentful-personal-access-token',
  'dropbox-short-lived-token', 'intercom-access-token', 'mapbox-secret-token', 'mattermost-access-token', 'plaid-access-token',
  'rubygems-api-key', 'twitch-access-token', 'twitter-bearer-token', 'typeform-personal-access-token', 'zendesk-api-token',
  'jfrog-api-key', 'jfrog-reference-token', 'meraki-api-key', 'octopus-deploy-api-key', 'postmark-server-token',
  'pinecone-api-key', 'replicate-api-token', 'cohere-api-key', 'mistral-api-key', 'perplexity-api-key', 'deepseek-api-key',
  'xai-api-key', 'langsmith-api-key', 'slack-legacy-token', 'cloudflare-user-api-token', 'cloudflare-account-api-token',
  'cloudflare-global-api-key-scannable', 'stripe-test-secret-key', 'stripe-test-restricted-key', '1password-secret-key',
  'aws-bedrock-api-key', 'aws-bedrock-short-term-api-key', 'npm-legacy-auth-token', 'npm-legacy-basic-auth',
];

// Literals that occur in ordinary text or code: as a prefilter keyword they would make every
// file pay for the rule's regex.
const TOO_COMMON = new Set(['key', 'token', 'secret', 'password', 'api', 'auth', 'bearer', 'bot', 'sk', 'ac', 'pat', 'id', 'http', 'https']);

describe('rule catalogue coverage', () => {
  it('has at least 200 rules, including every required family', () => {
    expect(ALL_RULES.length).toBeGreaterThanOrEqual(200);
    expect(providerRules.length).toBeGreaterThanOrEqual(190);
    expect(REQUIRED.filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(providerRules.map((d) => [d.id, d] as const))('%s says how to rotate by hand and has specific keywords', (_, d) => {
    expect(d.rotate?.steps.length).toBeGreaterThan(10);
    expect(d.rotate?.url).toMatch(/^https:\/\//);
    for (const k of d.keywords) {
      expect(k.length, `keyword "${k}"`).toBeGreaterThanOrEqual(3);
      expect(TOO_COMMON.has(k.toLowerCase()), `keyword "${k}" is too common`).toBe(false);
    }
  });
});

describe('the three providers our first users rely on', () => {
  const compiled = compileRules(ALL_RULES);
  const found = (text: string) => scanText(compiled, text, { path: 'notes.md' }).filter((f) => /^(wise|appcircle|finout)-/.test(f.ruleId));

  it('are revoked by hand, with the UI path from the provider documentation', () => {
    const wise = ALL_RULES.find((d) => d.id === 'wise-personal-api-token')!;
    const appcircle = ALL_RULES.find((d) => d.id === 'appcircle-personal-api-token')!;
    const finout = ALL_RULES.find((d) => d.id === 'finout-api-token')!;
    for (const d of [wise, appcircle, finout]) expect(d.revoke).toBeUndefined();
    expect(wise.rotate!.steps).toContain('Your Account > Integrations and Tools > API tokens');
    expect(appcircle.rotate!.steps).toContain('My Organization > Security > Personal API Token > Revoke Token');
    expect(finout.rotate!.steps).toMatch(/Admin Portal > API Tokens \(or Personal Tokens\)/);
  });

  it('do not report the placeholders their own documentation uses', () => {
    for (const text of [
      "curl -X GET https://api.wise.com/v1/profiles -H 'Authorization: Bearer <your_personal_token>'",
      "curl -X POST 'https://auth.appcircle.io/auth/v2/token' -H 'Content-Type: application/x-www-form-urlencoded' -d 'pat=$pat' -d 'scope=openid,profile,email'",
      "curl https://app.finout.io/v1/cost-guard/scans -H 'x-finout-client-id: ${FINOUT_CLIENT_ID}' -H 'x-finout-secret-key: ${FINOUT_SECRET_KEY}'",
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });

  it('need context: a bare UUID or a Bearer UUID sent elsewhere is not a Wise token', () => {
    expect(found('id: 0b6f8d3a-2c4e-4f1a-9b7d-5e3c1a9f2d4b')).toEqual([]);
    expect(found('curl -H "Authorization: Bearer 0b6f8d3a-2c4e-4f1a-9b7d-5e3c1a9f2d4b" https://api.example.com/v1/profiles')).toEqual([]);
    const wise = found('curl -H "Authorization: Bearer 0b6f8d3a-2c4e-4f1a-9b7d-5e3c1a9f2d4b" https://api.wise.com/v1/profiles');
    expect(wise.map((f) => f.ruleId)).toEqual(['wise-personal-api-token']);
  });
});
