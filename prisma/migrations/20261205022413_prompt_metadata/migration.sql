-- The front matter of a `.prompt` file beyond the columns, kept to be exported unchanged.
ALTER TABLE "PromptVersion" ADD COLUMN "metadata" TEXT NOT NULL DEFAULT '{}';
