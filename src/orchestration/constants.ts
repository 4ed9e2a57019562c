/** The category of the prompts that override orchestration phase templates. */
export const ORCHESTRATION_CATEGORY = '__orchestration__';
