export { main } from '@tokenward/cli';
