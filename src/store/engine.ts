/** The storage engines Maestro runs on. */
export type Engine = 'sqlite' | 'postgres';
