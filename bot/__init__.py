"""Thi Đua Bot: emulation campaigns (phong trào thi đua) of Vietnamese local government on Telegram."""
