// Moved to src/ir (back ends may import only src/ir); kept for the front end's imports.
export * from '../ir/printer.js';
