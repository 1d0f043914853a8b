/** Entry of dist/controller.cjs: the controller is its own bundle, so commands never load ioredis or BullMQ. */
export { controllerCommand } from '../commands/controller.js';
