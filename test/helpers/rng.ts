/** The tests' seeded generator is the one the fake Mithril market uses for its synthetic demand. */
export { rng } from '../../src/random.js';
