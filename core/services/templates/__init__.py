"""The words of a notice: a school's templates (edited, tried, reset), the letters' HTML, the
values templates render with, the composed message and what happens when a template fails."""
