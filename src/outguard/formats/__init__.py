"""Streaming readers and writers for the files businesses exchange.

CSV/TSV, XLSX, Parquet, JSON lines for tables; TXT, PDF, DOCX and e-mail for text. Each reader
yields bounded batches so memory stays flat in the file size, and refuses hostile input (zip
bombs, binary garbage, encrypted PDFs) with a clear `InvalidFileError`. No knowledge of
personal data lives here: that is `outguard.pii`.
"""
