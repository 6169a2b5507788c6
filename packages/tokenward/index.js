// `import { main } from 'tokenward'`: the CLI's entry point, for tools that run it in-process.
export { main } from '@tokenward/cli';
