-- Personal access tokens carry GitLab's optional description.
ALTER TABLE personal_access_tokens ADD COLUMN description TEXT;
