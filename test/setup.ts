// Tests never reach AWS: fake credentials, an unroutable endpoint, quiet Powertools.
process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTESTTESTTEST';
process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
process.env.AWS_SESSION_TOKEN = 'test-session';
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_DEV = 'false';
